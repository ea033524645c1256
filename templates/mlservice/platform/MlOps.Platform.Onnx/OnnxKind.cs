using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.Platform.Onnx;

/// <summary>
/// Models trained anywhere and exported to ONNX, scored by ONNX Runtime. <c>model.zip</c> holds the graph as
/// <c>model.onnx</c>, so these models are registered, promoted, rolled back and reloaded like any other. The kind also
/// exports the models trained here to ONNX (<see cref="IModelExporter"/>, <c>make export-onnx</c>).
/// </summary>
public sealed class OnnxKind : ModelKind, IModelExporter
{
    /// <summary>The folder of the repository that holds the imported graphs (<c>onnx/&lt;name&gt;.onnx</c>).</summary>
    public const string SourceFolder = "onnx";

    /// <summary>The name of the graph inside <c>model.zip</c>.</summary>
    public const string EntryName = "model.onnx";

    private OnnxKind()
    {
    }

    /// <summary>The one instance, the kind of every <see cref="OnnxModelDefinition"/>.</summary>
    public static OnnxKind Instance { get; } = new();

    /// <inheritdoc />
    public override string Name => "onnx";

    /// <inheritdoc />
    public override bool TrainsHere => false;

    /// <summary>The version of ONNX Runtime that scores the models, for messages and the manifest.</summary>
    public static string RuntimeVersion { get; } =
        typeof(InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <inheritdoc />
    public override ModelScorer Open(byte[] archive, ModelDefinition definition, string path)
    {
        ArgumentNullException.ThrowIfNull(archive);
        return OpenGraph(Unpack(archive, path), Onnx(definition), path);
    }

    /// <summary>Opens a graph (the bytes of an <c>.onnx</c> file) for <paramref name="definition"/>: checks its header, loads it, binds it.</summary>
    /// <exception cref="ModelLoadException">Not an ONNX model, not loadable by this runtime, or its inputs or outputs do not bind.</exception>
    public static OnnxScorer OpenGraph(byte[] graph, OnnxModelDefinition definition, string path)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(definition);
        OnnxModelInfo.Read(graph, path);
        var session = CreateSession(graph, path);
        try
        {
            return new OnnxScorer(session, definition, path);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads a graph into ONNX Runtime. An operator this runtime does not implement, an opset it does not know and a
    /// graph that does not type-check are refused here, with the runtime's message (which names the node).
    /// </summary>
    /// <exception cref="ModelLoadException">ONNX Runtime refused the graph.</exception>
    public static InferenceSession CreateSession(byte[] graph, string path)
    {
        using var options = new SessionOptions
        {
            // One thread per request: the service scores many requests at once, each on its own thread.
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            return new InferenceSession(graph, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException(
                $"ONNX Runtime {RuntimeVersion} cannot load '{path}': {ex.Message.Trim()}", "ONNX model cannot be loaded by this runtime", ex);
        }
    }

    /// <inheritdoc />
    public override PackagedModel Package(ModelDefinition definition, string repositoryRoot)
    {
        var onnx = Onnx(definition);
        var source = Path.Combine(repositoryRoot, onnx.SourcePath);
        var limits = ModelFileLimits.Default;
        var graph = ModelFiles.ReadRegular(source, "ONNX file", limits.MaxUnpackedBytes, limits.ReadTimeout);
        var info = OnnxModelInfo.Read(graph, source);
        OpenGraph(graph, onnx, source).Dispose();
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry(EntryName, CompressionLevel.Optimal).Open();
            entry.Write(graph);
        }

        return new PackagedModel(zip.ToArray(), onnx.SourcePath, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "onnx",
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(graph)),
            ["producer"] = info.Producer.Length > 0 ? info.Producer : "unknown",
            ["producer_version"] = info.ProducerVersion.Length > 0 ? info.ProducerVersion : "unknown",
            ["ir_version"] = info.IrVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["opset"] = info.OpsetText,
            ["runtime"] = $"onnxruntime {RuntimeVersion}",
        });
    }

    /// <inheritdoc />
    public string Format => Name;

    /// <inheritdoc />
    /// <remarks>With ML.NET's converter, checked within <see cref="OnnxExport.ProbabilityTolerance"/> and <see cref="OnnxExport.ValueTolerance"/> (<see cref="OnnxExport"/>).</remarks>
    public ModelExport Export(TrainedModel model, IReadOnlyList<FeatureRow> rows, string path) => OnnxExport.Export(model, rows, path);

    /// <inheritdoc />
    public override ImportBinding Bind(byte[] file, string path, ModelDefinition model, IReadOnlyList<FeatureRow> rows, IReadOnlyList<string> labelValues) =>
        OnnxImport.Bind(file, path, model, rows, labelValues);

    private static OnnxModelDefinition Onnx(ModelDefinition definition) =>
        definition as OnnxModelDefinition
            ?? throw new ModelLoadException(
                $"Model '{definition?.Name}' is not an ONNX model definition (OnnxModelDefinition), so an ONNX file cannot serve it.", "model file is of another kind");

    private static byte[] Unpack(byte[] archive, string path)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(archive, writable: false), ZipArchiveMode.Read);
            var entry = zip.GetEntry(EntryName)
                ?? throw new ModelLoadException($"Model file '{path}' holds no {EntryName}: it is not an imported ONNX model.", "model file is of another kind");
            using var stream = entry.Open();
            using var copy = new MemoryStream((int)entry.Length);
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException($"Model file '{path}' is corrupt: {ex.Message}", "model file is corrupt", ex);
        }
    }
}
