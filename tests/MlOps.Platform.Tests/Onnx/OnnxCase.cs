using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using MlOps.Platform.Onnx;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// The definition a team would write to import one case of make_models.py: named as the case without underscores
/// (<c>torchbinary</c>), its task from case.json, one numeric feature per feature column of eval.csv (the observed
/// range widened by half its width each side), its label (binary: 1 is <c>true</c>; multiclass: the classes in the
/// order of expected.csv's <c>p_</c> columns), the first eval row as canary, and the binding of the graph's inputs and
/// output (<see cref="BindingOf"/>).
/// </summary>
public sealed class OnnxCase : OnnxModelDefinition
{
    private static readonly ConcurrentDictionary<string, Lazy<OnnxCase>> s_cases = new(StringComparer.Ordinal);
    private readonly string[] _header;
    private readonly IReadOnlyList<string[]> _cells;

    private OnnxCase(string caseName, string[] header, IReadOnlyList<string[]> cells, JsonElement info, IReadOnlyList<string> classes)
    {
        CaseName = caseName;
        _header = header;
        _cells = cells;
        Task = ModelTasks.TryParse(info.GetProperty("task").GetString(), out var task) ? task : throw new InvalidDataException($"{caseName}: unknown task.");
        Producer = info.GetProperty("producer").GetString()!;
        Description = $"{Producer}: {info.GetProperty("output").GetString()}";
        Label = Task switch
        {
            ModelTask.Binary => LabelColumn.Binary(header[^1]),
            ModelTask.Multiclass => LabelColumn.Multiclass(header[^1], classes),
            _ => LabelColumn.Regression(header[^1]),
        };
        Features = [.. header[..^1].Select((name, i) => Feature(name, cells.Select(row => Number(row[i]))))];
        Onnx = BindingOf(caseName, classes);
    }

    private OnnxCase(OnnxCase source, OnnxBinding binding, IReadOnlyList<FeatureColumn> features)
    {
        CaseName = source.CaseName;
        _header = source._header;
        _cells = source._cells;
        Task = source.Task;
        Producer = source.Producer;
        Description = source.Description;
        Label = source.Label;
        Features = features;
        Onnx = binding;
    }

    /// <summary>The cases that have the producer's predictions (expected.csv); the others must be refused.</summary>
    public static TheoryData<string> Producing =>
        ["torch_binary", "torch_regression", "sklearn_multiclass_zipmap", "sklearn_binary_columns", "sklearn_regression"];

    /// <summary>The case folder's name (<c>torch_binary</c>).</summary>
    public string CaseName { get; }

    /// <summary>The producer case.json names (<c>pytorch (torch.onnx.export)</c>).</summary>
    public string Producer { get; }

    /// <summary>The case's folder.</summary>
    public string Folder => OnnxProducers.Case(CaseName);

    /// <summary>The case's ONNX file.</summary>
    public string GraphPath => Path.Combine(Folder, "model.onnx");

    /// <summary>The bytes of the case's ONNX file.</summary>
    public byte[] Graph => File.ReadAllBytes(GraphPath);

    /// <summary>The producer's predictions for every eval row.</summary>
    public ProducerPredictions Expected => ProducerPredictions.Read(Folder);

    public override string Name => CaseName.Replace("_", string.Empty, StringComparison.Ordinal);

    public override ModelTask Task { get; }

    public override string Description { get; }

    public override IReadOnlyList<FeatureColumn> Features { get; }

    public override LabelColumn Label { get; }

    public override IReadOnlyDictionary<string, RawValue> Canary => Record(_cells[0]);

    public override OnnxBinding Onnx { get; }

    /// <summary>The definition of <paramref name="caseName"/>, read once per test run.</summary>
    public static OnnxCase Of(string caseName) =>
        s_cases.GetOrAdd(caseName, name => new Lazy<OnnxCase>(() => Read(name))).Value;

    /// <summary>
    /// The binding a user writes for each case, from what case.json says of its graph: PyTorch's one input
    /// <c>input</c>; skl2onnx's <c>float_input</c> or one input per column, and its ZipMap <c>output_probability</c>.
    /// </summary>
    public static OnnxBinding BindingOf(string caseName, IReadOnlyList<string> classes) => caseName switch
    {
        "torch_binary" => new() { FeaturesInput = "input", Output = "logits", Scores = OnnxScores.Logits, ClassKeys = ["0", "1"] },
        "torch_regression" => new() { FeaturesInput = "input", Output = "value", Scores = OnnxScores.Value },
        "sklearn_multiclass_zipmap" => new() { FeaturesInput = "float_input", Output = "output_probability", Scores = OnnxScores.Probabilities, ClassKeys = classes },
        "sklearn_binary_columns" => new() { FeaturesInput = null, Output = "output_probability", Scores = OnnxScores.Probabilities, ClassKeys = ["0", "1"] },
        "sklearn_regression" => new() { FeaturesInput = "float_input", Output = "variable", Scores = OnnxScores.Value },
        "unsupported_operator" => new() { FeaturesInput = "input", Output = "value", Scores = OnnxScores.Value },
        "unbindable_input" => new() { FeaturesInput = "sequence", Output = "value", Scores = OnnxScores.Value },
        _ => throw new ArgumentException($"No binding for case '{caseName}'.", nameof(caseName)),
    };

    /// <summary>This definition with another binding and/or other features (read from the same eval columns, by position).</summary>
    public OnnxCase With(OnnxBinding? binding = null, IReadOnlyList<FeatureColumn>? features = null) =>
        new(this, binding ?? Onnx, features ?? Features);

    /// <summary>Each eval row's features as a request sends them, the features read by position from eval.csv's columns.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, RawValue>> Records() => [.. _cells.Select(Record)];

    /// <summary>Every eval row, validated by the definition (as serving validates a request).</summary>
    public IReadOnlyList<FeatureRow> Rows()
    {
        var errors = new List<FeatureError>();
        return [.. Records().Select(r => Validate(r, errors) ?? throw new InvalidDataException(
            $"{CaseName}: an eval row is not valid: {string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"))}"))];
    }

    /// <summary>eval.csv as training data: a binary label's 1 and 0 written <c>true</c> and <c>false</c>.</summary>
    public string TrainingCsv() =>
        string.Join('\n', _cells.Select(TrainingRow).Prepend(_header).Select(cells => string.Join(',', cells))) + "\n";

    private IReadOnlyDictionary<string, RawValue> Record(string[] row) =>
        Features.Select((f, i) => (f.Name, Value: RawValue.FromCsv(row[i]))).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    private string[] TrainingRow(string[] row) =>
        Task != ModelTask.Binary ? row : [.. row[..^1], row[^1] switch
        {
            "1" => "true",
            "0" => "false",
            var other => throw new InvalidDataException($"{CaseName}: binary label '{other}' is not 0 or 1."),
        }];

    private static OnnxCase Read(string caseName)
    {
        var folder = OnnxProducers.Case(caseName);
        var lines = File.ReadAllLines(Path.Combine(folder, "eval.csv")).Where(l => l.Length > 0).ToList();
        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "case.json")));
        var expected = Path.Combine(folder, "expected.csv");
        var classes = File.Exists(expected) && info.RootElement.GetProperty("task").GetString() == "multiclass"
            ? File.ReadLines(expected).First().Split(',').Where(c => c.StartsWith("p_", StringComparison.Ordinal)).Select(c => c[2..]).ToArray()
            : [];
        var model = new OnnxCase(caseName, lines[0].Split(','), [.. lines.Skip(1).Select(l => l.Split(','))], info.RootElement.Clone(), classes);
        model.CheckConsistency();
        return model;
    }

    private static NumericFeature Feature(string name, IEnumerable<double> values)
    {
        var (min, max) = (values.Min(), values.Max());
        var half = (max - min) / 2;
        return new NumericFeature(name, min - half, max + half, WholeNumber: false);
    }

    private static double Number(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);
}
