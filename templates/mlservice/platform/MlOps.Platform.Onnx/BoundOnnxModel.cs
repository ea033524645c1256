namespace MlOps.Platform.Onnx;

/// <summary>
/// A model definition (features, label, canary) with an ONNX binding given at run time: what an import checks a
/// graph with before it writes the definition's C#, and what tests build from a graph and its data.
/// </summary>
public sealed class BoundOnnxModel(ModelDefinition model, OnnxBinding binding) : OnnxModelDefinition
{
    /// <inheritdoc />
    public override OnnxBinding Onnx { get; } = binding ?? throw new ArgumentNullException(nameof(binding));

    /// <inheritdoc />
    public override string Name => model.Name;

    /// <inheritdoc />
    public override ModelTask Task => model.Task;

    /// <inheritdoc />
    public override string Description => model.Description;

    /// <inheritdoc />
    public override IReadOnlyList<FeatureColumn> Features => model.Features;

    /// <inheritdoc />
    public override IReadOnlyList<DerivedFeature> DerivedFeatures => model.DerivedFeatures;

    /// <inheritdoc />
    public override LabelColumn Label => model.Label;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, RawValue> Canary => model.Canary;
}
