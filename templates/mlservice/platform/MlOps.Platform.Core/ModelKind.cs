namespace MlOps.Platform;

/// <summary>
/// How the models of one kind are made, stored and scored: ML.NET pipelines fitted by <c>make train</c>
/// (<see cref="MlNetKind"/>), or graphs trained anywhere and imported (ONNX, from the MlOps.Platform.Onnx package).
/// Every kind is stored as <c>model.zip</c> beside its manifest, so the registry, promotion, rollback, hot reload
/// and file limits treat all models alike; only loading and scoring differ.
/// </summary>
public abstract class ModelKind
{
    /// <summary>The kind's name in manifests, run records and logs (<c>ml.net</c>, <c>onnx</c>).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// True when <c>make train</c> fits the model from its data here; false when the model comes from a file made
    /// elsewhere (<see cref="Package"/>), which training only evaluates, gates and registers.
    /// </summary>
    public abstract bool TrainsHere { get; }

    /// <summary>
    /// Opens a model of this kind from the bytes of its <c>model.zip</c> (already read within the size limits and
    /// checked as an archive). The scorer is thread-safe.
    /// </summary>
    /// <exception cref="ModelLoadException">The archive is not a model of this kind, or not one of <paramref name="definition"/>.</exception>
    public abstract ModelScorer Open(byte[] archive, ModelDefinition definition, string path);

    /// <summary>
    /// For a kind that does not train here: the bytes of the <c>model.zip</c> made from the model's source file in
    /// the repository (<paramref name="repositoryRoot"/>), and what the manifest records of that file (its hash,
    /// producer, format version).
    /// </summary>
    /// <exception cref="ModelLoadException">The source file is missing or not usable.</exception>
    public virtual PackagedModel Package(ModelDefinition definition, string repositoryRoot) =>
        throw new NotSupportedException($"Models of kind {Name} are trained here, not packaged from a file.");

    /// <summary>
    /// For a kind imported from a file (<c>make add-model ... ONNX=</c>): works out how the file binds to
    /// <paramref name="model"/> (defined from the evaluation data), checks it by scoring <paramref name="rows"/>, and
    /// gives the C# the model's definition needs for it.
    /// </summary>
    /// <param name="file">The bytes of the model file.</param>
    /// <param name="path">Its path, for messages.</param>
    /// <param name="model">The model defined from the evaluation data: features, label, canary.</param>
    /// <param name="rows">Evaluation rows, validated.</param>
    /// <param name="labelValues">
    /// The label's values as the data writes them: the classes in order (multiclass), or the value of <c>false</c>
    /// then of <c>true</c> (binary); empty for a regression.
    /// </param>
    /// <exception cref="ModelLoadException">The file cannot be bound to the model; the message names the input, output or node.</exception>
    public virtual ImportBinding Bind(byte[] file, string path, ModelDefinition model, IReadOnlyList<FeatureRow> rows, IReadOnlyList<string> labelValues) =>
        throw new NotSupportedException($"Models of kind {Name} are trained here, not imported from a file.");

    /// <summary>
    /// The kind named <paramref name="name"/> when its package is referenced by this application (the ONNX kind comes
    /// with MlOps.Platform.Onnx, which only repositories with an ONNX model, or a training project that exports to ONNX,
    /// reference); null otherwise. A kind that writes other formats is also an <see cref="IModelExporter"/>.
    /// </summary>
    public static ModelKind? Named(string name) => name switch
    {
        "ml.net" => MlNetKind.Instance,
        "onnx" => Type.GetType("MlOps.Platform.Onnx.OnnxKind, MlOps.Platform.Onnx")?.GetProperty("Instance")?.GetValue(null) as ModelKind,
        _ => null,
    };
}

/// <summary>How a model file made elsewhere binds to its definition, as C# for the definition, and what the import found.</summary>
/// <param name="BaseType">The definition's base class (<c>OnnxModelDefinition</c>).</param>
/// <param name="Namespace">The namespace of that class, for a using directive.</param>
/// <param name="Members">The definition's members for the binding, as C# lines (indented for a class body).</param>
/// <param name="Report">What the import found and chose, one line each (inputs, outputs, producer, opset...).</param>
public sealed record ImportBinding(string BaseType, string Namespace, IReadOnlyList<string> Members, IReadOnlyList<string> Report);

/// <summary>A model file made elsewhere, packaged as <c>model.zip</c>.</summary>
/// <param name="Archive">The bytes of <c>model.zip</c>.</param>
/// <param name="Source">The repository file it was made from (<c>onnx/fraud.onnx</c>).</param>
/// <param name="Origin">What the manifest records of the source: sha256, producer, producer_version, opset...</param>
public sealed record PackagedModel(byte[] Archive, string Source, IReadOnlyDictionary<string, string> Origin);

/// <summary>
/// Scores batches of validated rows with one loaded model. Thread-safe: every request of the service shares one
/// scorer of the serving model; it is disposed once the last request using it has returned.
/// </summary>
public abstract class ModelScorer : IDisposable
{
    /// <summary>The predictions for <paramref name="rows"/>, in their order, of the task of the model's definition.</summary>
    public abstract Outcome[] Score(IReadOnlyList<FeatureRow> rows);

    /// <summary>Releases what the model holds (engines, native sessions).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the model holds; <paramref name="disposing"/> is true when called from <see cref="Dispose()"/>.</summary>
    protected abstract void Dispose(bool disposing);
}
