namespace MlOps.Platform.Onnx;

/// <summary>
/// A model trained anywhere (scikit-learn, XGBoost, LightGBM, PyTorch...) and exported to ONNX: the same features,
/// label and canary as any model of the repository, plus how its graph's inputs and outputs bind to them
/// (<see cref="Onnx"/>). <c>make add-model NAME=... ONNX=... DATA=... LABEL=...</c> writes one; the graph itself is
/// <c>onnx/&lt;name&gt;.onnx</c>, which <c>make train</c> evaluates, gates and registers instead of training.
/// </summary>
public abstract class OnnxModelDefinition : ModelDefinition
{
    /// <summary>How the graph's inputs and outputs bind to the features and the task's prediction.</summary>
    public abstract OnnxBinding Onnx { get; }

    /// <inheritdoc />
    public override ModelKind Kind => OnnxKind.Instance;

    /// <summary>The imported graph, relative to the repository root: <c>onnx/&lt;name&gt;.onnx</c>.</summary>
    public string SourcePath => $"{OnnxKind.SourceFolder}/{Name}.onnx";
}
