using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Runtime;

namespace MlOps.Platform.Onnx;

/// <summary>
/// Exports a model trained here to ONNX with ML.NET's converter (Microsoft.ML.OnnxConverter), so a team can hand it
/// to any ONNX runtime, and checks the graph before it is written: ONNX Runtime opens it and scores the given rows
/// (the model's data) next to the ML.NET pipeline, and the export is refused when they disagree beyond a tolerance.
/// <para>
/// The graph takes the rows as the pipeline does (<see cref="FeatureRow"/>): input <c>Numbers</c>, a float tensor
/// [batch, numeric features then derived features], and input <c>Categories</c>, a string tensor [batch, categorical
/// features], each in the definition's order (an input the model has no feature for is left out). It keeps the outputs
/// of the task, named as the converter names them (<c>&lt;column&gt;.output</c>): binary <c>PredictedLabel</c>,
/// <c>Score</c> and <c>Probability</c>; multiclass <c>Score</c> (each class's probability, in the label's order) and
/// <c>PredictedClass</c>; regression <c>Score</c> (a multiclass graph also has the converter's own
/// <c>mlnet.Score.unusedOutput</c>). The feature order and the classes are written into the file's metadata too
/// (<c>mlops.*</c> keys), for whoever receives it without this repository.
/// </para>
/// </summary>
public static class OnnxExport
{
    /// <summary>The largest difference accepted between a probability of the pipeline and of the graph (absolute).</summary>
    public const double ProbabilityTolerance = 1e-4;

    /// <summary>
    /// The largest difference accepted between a value (a regression's prediction, a binary score) of the pipeline and of
    /// the graph, relative to the pipeline's value; absolute for values below 1, where a relative difference means nothing.
    /// </summary>
    public const double ValueTolerance = 1e-4;

    /// <summary>The name the converter gives the graph output of a column: <c>Score.output</c>.</summary>
    public const string OutputSuffix = ".output";

    /// <summary>The prefix of the metadata keys the export writes into the graph: <c>mlops.model</c>, <c>mlops.input.Numbers</c>...</summary>
    public const string MetadataPrefix = "mlops.";

    // Rows per ONNX Runtime run and per batch of the pipeline: the check holds one batch at a time, whatever the data's size.
    private const int BatchRows = 1024;

    // Rows the converter sees: it reads the schema, not the values.
    private const int ConversionRows = 16;

    private const string StopWarning = "cannot save itself as ONNX";

    /// <summary>The version of ML.NET's ONNX converter, for messages.</summary>
    public static string ConverterVersion { get; } =
        typeof(OnnxExportExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? typeof(OnnxExportExtensions).Assembly.GetName().Version?.ToString(3)
            ?? "unknown";

    /// <summary>The columns of the pipeline's output the graph keeps for <paramref name="task"/>.</summary>
    public static IReadOnlyList<string> OutputColumns(ModelTask task) => task switch
    {
        ModelTask.Binary => ["PredictedLabel", "Score", "Probability"],
        ModelTask.Multiclass => ["Score", ModelDefinition.PredictedClassColumn],
        _ => ["Score"],
    };

    /// <inheritdoc cref="IModelExporter.Export"/>
    /// <param name="model">A loaded model with its pipeline.</param>
    /// <param name="rows">The rows to compare on.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="probabilityTolerance">The largest absolute difference of a probability accepted.</param>
    /// <param name="valueTolerance">The largest relative difference of a value accepted (absolute below 1).</param>
    public static ModelExport Export(
        TrainedModel model, IReadOnlyList<FeatureRow> rows, string path, double probabilityTolerance = ProbabilityTolerance, double valueTolerance = ValueTolerance)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var definition = model.Definition;
        var transformer = model.Transformer ?? throw new ModelExportException(
            definition.Kind is OnnxKind && definition is OnnxModelDefinition onnx
                ? $"Model '{definition.Name}' is an imported ONNX model: it already is ONNX, its graph is {onnx.SourcePath}."
                : $"Model '{definition.Name}' is of kind {definition.Kind.Name}, not an ML.NET pipeline trained here: ML.NET's converter has nothing to convert.");
        if (rows.Count == 0)
        {
            throw new ModelExportException($"Model '{definition.Name}' needs at least one row to check its export on; the data has none.");
        }

        var graph = WithMetadata(Convert(definition, transformer, rows), Metadata(model));
        var info = OnnxModelInfo.Read(graph, path);
        InferenceSession session;
        try
        {
            session = OnnxKind.CreateSession(graph, path);
        }
        catch (ModelLoadException ex)
        {
            throw new ModelExportException($"ML.NET's converter wrote a graph that ONNX Runtime cannot load: {ex.Message}", ex);
        }

        IReadOnlyList<string> description;
        List<Difference> checks;
        using (session)
        {
            var graphRun = new GraphRun(session, definition);
            description =
            [
                $"ONNX graph written by Microsoft.ML.OnnxConverter {ConverterVersion} (producer {Text(info.Producer)}), IR version {info.IrVersion}, opset {info.OpsetText}; checked with ONNX Runtime {OnnxKind.RuntimeVersion}.",
                .. graphRun.Describe(),
            ];
            checks = Compare(model, rows, graphRun, probabilityTolerance, valueTolerance);
        }

        var failed = checks.Where(c => !c.Check.Passed).ToList();
        if (failed.Count > 0)
        {
            throw new ModelExportException(
                $"The ONNX graph does not score the {rows.Count} rows as the ML.NET model does: "
                + string.Join("; ", failed.Select(f => f.Refusal()))
                + $". Nothing was written to {path}.");
        }

        Write(path, graph);
        return new ModelExport(path, graph.LongLength, description, rows.Count, [.. checks.Select(c => c.Check)]);
    }

    /// <summary>The model's pipeline as an ONNX graph (the bytes of the file), with the task's outputs only.</summary>
    private static byte[] Convert(ModelDefinition definition, ITransformer transformer, IReadOnlyList<FeatureRow> rows)
    {
        var ml = new MLContext(seed: 0);
        var warnings = Listen(ml);
        var sample = ml.Data.LoadFromEnumerable(rows.Take(ConversionRows), InputSchema(definition));
        using var stream = new MemoryStream();
        try
        {
            ml.Model.ConvertToOnnx(transformer, sample, stream, [.. OutputColumns(definition.Task)]);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Unconvertible(transformer, sample, ex.Message.Trim(), ex);
        }

        // The converter does not fail on a step it cannot convert: it warns, and starts the graph after that step.
        return warnings.FirstOrDefault(w => w.Contains(StopWarning, StringComparison.Ordinal)) is { } stop
            ? throw Unconvertible(transformer, sample, stop, null)
            : stream.ToArray();
    }

    /// <summary>
    /// The pipeline's input columns the graph takes: <c>Numbers</c> and <c>Categories</c>, but not a vector of no
    /// feature (which the converter would make an input of unknown width that nothing reads).
    /// </summary>
    private static SchemaDefinition InputSchema(ModelDefinition definition)
    {
        var schema = definition.InputSchema;
        if (definition.CategoricalFeatures.Count == 0)
        {
            schema.RemoveAll(c => c.ColumnName == FeatureRow.CategoriesColumn);
        }

        if (definition.NumericFeatures.Count + definition.DerivedFeatures.Count == 0)
        {
            schema.RemoveAll(c => c.ColumnName == FeatureRow.NumbersColumn);
        }

        return schema;
    }

    private static ConcurrentQueue<string> Listen(MLContext ml)
    {
        var warnings = new ConcurrentQueue<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind is ChannelMessageKind.Warning or ChannelMessageKind.Error)
            {
                warnings.Enqueue(e.Message);
            }
        };
        return warnings;
    }

    /// <summary>
    /// Names the steps of the pipeline the converter cannot convert, by converting each step alone on the data the
    /// steps before it produce.
    /// </summary>
    private static ModelExportException Unconvertible(ITransformer transformer, IDataView sample, string reason, Exception? inner)
    {
        var steps = Steps(transformer).ToList();
        var refused = new List<string>();
        var data = sample;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var output = step.Transform(data);
            if (!Converts(step, data))
            {
                // A step writes the columns it adds, and those it replaces (the replaced one stays, hidden).
                var written = output.Schema.Where(c => !c.IsHidden).Select(c => c.Name)
                    .Where(n => output.Schema.Count(c => c.Name == n) > data.Schema.Count(c => c.Name == n)).ToList();
                refused.Add($"step {i + 1} of {steps.Count}, {Name(step)}" + (written.Count > 0 ? $" (writes {string.Join(", ", written)})" : string.Empty));
            }

            data = output;
        }

        var message = refused.Count > 0
            ? $"ML.NET's ONNX converter {ConverterVersion} cannot convert {string.Join("; ", refused)}. Only models whose every step converts can be exported (the converter said: {reason})"
            : $"ML.NET's ONNX converter {ConverterVersion} cannot convert the pipeline: {reason}";
        return inner is null ? new ModelExportException(message + ".") : new ModelExportException(message + ".", inner);
    }

    private static bool Converts(ITransformer step, IDataView input)
    {
        var ml = new MLContext(seed: 0);
        var warnings = Listen(ml);
        try
        {
            // The step alone: its input cached, so the converter does not walk back into the steps before it.
            var visible = input.Schema.Where(c => !c.IsHidden).Select(c => c.Name).ToArray();
            var root = ml.Data.Cache(ml.Transforms.SelectColumns(visible).Fit(input).Transform(input));
            ml.Model.ConvertToOnnx(step, root, Stream.Null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }

        return !warnings.Any(w => w.Contains(StopWarning, StringComparison.Ordinal));
    }

    /// <summary>The steps of a pipeline in order, nested chains (features, then trainer) flattened.</summary>
    private static IEnumerable<ITransformer> Steps(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Steps) : [transformer];

    /// <summary>A step's type as C# writes it: <c>CustomMappingTransformer&lt;In, Out&gt;</c>.</summary>
    private static string Name(ITransformer step) => TypeName(step.GetType());

    private static string TypeName(Type type) =>
        type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
            : type.Name;

    private static string Text(string value) => value.Length > 0 ? value : "unknown";

    /// <summary>What the graph's metadata records of the model, so the file explains its inputs without this repository.</summary>
    private static List<KeyValuePair<string, string>> Metadata(TrainedModel model)
    {
        var definition = model.Definition;
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(MetadataPrefix + "model", definition.Name),
            new(MetadataPrefix + "version", model.Version),
            new(MetadataPrefix + "task", definition.Task.ToText()),
        };
        if (NumbersOrder(definition) is { Count: > 0 } numbers)
        {
            metadata.Add(new(MetadataPrefix + "input." + FeatureRow.NumbersColumn, string.Join(",", numbers)));
        }

        if (definition.CategoricalFeatures.Count > 0)
        {
            metadata.Add(new(MetadataPrefix + "input." + FeatureRow.CategoriesColumn, string.Join(",", definition.CategoricalFeatures.Select(f => f.Name))));
        }

        if (definition.DerivedFeatures.Count > 0)
        {
            metadata.Add(new(MetadataPrefix + "derived", string.Join("; ", definition.DerivedFeatures.Select(f => $"{f.Name} = {f.Formula}"))));
        }

        if (definition.Task == ModelTask.Multiclass)
        {
            metadata.Add(new(MetadataPrefix + "classes", string.Join(",", definition.Label.Classes)));
        }

        return metadata;
    }

    private static List<string> NumbersOrder(ModelDefinition definition) =>
        [.. definition.NumericFeatures.Select(f => f.Name), .. definition.DerivedFeatures.Select(f => f.Name)];

    /// <summary>
    /// The graph with <paramref name="metadata"/> added to its <c>metadata_props</c> (ModelProto field 14): a protobuf
    /// message may be extended by appending fields, so the converter's bytes stay as they are.
    /// </summary>
    private static byte[] WithMetadata(byte[] graph, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        using var bytes = new MemoryStream();
        bytes.Write(graph);
        foreach (var (key, value) in metadata)
        {
            using var entry = new MemoryStream();
            WriteField(entry, 1, Encoding.UTF8.GetBytes(key));
            WriteField(entry, 2, Encoding.UTF8.GetBytes(value));
            WriteField(bytes, 14, entry.ToArray());
        }

        return bytes.ToArray();
    }

    private static void WriteField(Stream stream, int field, byte[] value)
    {
        WriteVarint(stream, ((ulong)field << 3) | 2);
        WriteVarint(stream, (ulong)value.Length);
        stream.Write(value);
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }

    /// <summary>Writes beside the target first, so a reader never sees half a file and a failed write leaves the old one.</summary>
    private static void Write(string path, byte[] graph)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, graph);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Scores <paramref name="rows"/> through the pipeline and the graph, batch by batch, and keeps the largest difference of each quantity.</summary>
    private static List<Difference> Compare(TrainedModel model, IReadOnlyList<FeatureRow> rows, GraphRun graph, double probabilityTolerance, double valueTolerance)
    {
        var definition = model.Definition;
        var classes = definition.Label.Classes;
        List<Difference> differences = definition.Task switch
        {
            ModelTask.Binary =>
            [
                new("probability", graph.Output("Probability"), probabilityTolerance, "absolute"),
                new("score", graph.Output("Score"), valueTolerance, "relative"),
                new("predicted label", graph.Output("PredictedLabel"), 0, "rows"),
            ],
            ModelTask.Multiclass =>
            [
                .. classes.Select(c => new Difference($"probability of {c}", graph.Output("Score"), probabilityTolerance, "absolute")),
                new("predicted class", graph.Output(ModelDefinition.PredictedClassColumn), 0, "rows"),
            ],
            _ => [new("value", graph.Output("Score"), valueTolerance, "relative")],
        };
        for (var start = 0; start < rows.Count; start += BatchRows)
        {
            var batch = new FeatureRow[Math.Min(BatchRows, rows.Count - start)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = rows[start + i];
            }

            var expected = model.Score(batch);
            using var outputs = graph.Run(batch);
            for (var i = 0; i < batch.Length; i++)
            {
                var row = start + i;
                switch (expected[i])
                {
                    case BinaryOutcome binary:
                        differences[0].Absolute(row, binary.Probability, outputs.Number("Probability", i, 1));
                        differences[1].Relative(row, binary.Score, outputs.Number("Score", i, 1));
                        var tie = Math.Abs(binary.Score) <= valueTolerance || Math.Abs(binary.Probability - 0.5) <= probabilityTolerance;
                        differences[2].Label(row, binary.Label ? "true" : "false", outputs.Flag("PredictedLabel", i) ? "true" : "false", tie);
                        break;
                    case MulticlassOutcome multiclass:
                        for (var c = 0; c < classes.Count; c++)
                        {
                            differences[c].Absolute(row, multiclass.Probabilities[c], outputs.Number("Score", (i * classes.Count) + c, classes.Count));
                        }

                        var sorted = multiclass.Probabilities.OrderDescending().ToArray();
                        differences[^1].Label(row, multiclass.Label, outputs.Text(ModelDefinition.PredictedClassColumn, i), sorted.Length > 1 && sorted[0] - sorted[1] <= probabilityTolerance);
                        break;
                    case RegressionOutcome regression:
                        differences[0].Relative(row, regression.Value, outputs.Number("Score", i, 1));
                        break;
                    default:
                        throw new ModelExportException($"Model '{definition.Name}' scored a {expected[i].GetType().Name}, not a prediction of a {definition.Task.ToText()} task.");
                }
            }
        }

        return differences;
    }

    /// <summary>The largest difference of one quantity so far, and where it was.</summary>
    private sealed class Difference(string quantity, string output, double tolerance, string measure)
    {
        private double _max;
        private int _row = -1;
        private string _expected = string.Empty;
        private string _actual = string.Empty;
        private int _count;

        public ExportCheck Check => new(quantity, output, measure == "rows" ? _count : _max, tolerance, measure);

        public void Absolute(int row, float expected, float actual) =>
            Keep(row, Math.Abs((double)expected - actual), expected, actual);

        public void Relative(int row, float expected, float actual) =>
            Keep(row, Math.Abs((double)expected - actual) / Math.Max(1, Math.Abs((double)expected)), expected, actual);

        public void Label(int row, string expected, string actual, bool tie)
        {
            if (expected != actual && !tie)
            {
                _count++;
                if (_row < 0)
                {
                    (_row, _expected, _actual) = (row, expected, actual);
                }
            }
        }

        public string Refusal() => measure == "rows"
            ? $"{quantity} ({output}) differs on {_count} row(s), first data row {_row + 1} (ML.NET {_expected}, ONNX {_actual})"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{quantity} ({output}) differs by up to {_max:G3} ({measure}) at data row {_row + 1} (ML.NET {_expected}, ONNX {_actual}), above the tolerance {tolerance:G3}");

        private void Keep(int row, double difference, float expected, float actual)
        {
            // NaN on either side is a difference no tolerance accepts.
            if (double.IsNaN(difference))
            {
                difference = double.PositiveInfinity;
            }

            if (difference > _max || _row < 0)
            {
                (_max, _row) = (Math.Max(difference, _max), row);
                _expected = expected.ToString("R", CultureInfo.InvariantCulture);
                _actual = actual.ToString("R", CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>The exported graph in ONNX Runtime, its inputs bound to the columns of <see cref="FeatureRow"/> and its outputs to the task's columns.</summary>
    private sealed class GraphRun
    {
        private readonly InferenceSession _session;
        private readonly ModelDefinition _definition;
        private readonly string[] _inputs;
        private readonly Dictionary<string, string> _outputs;

        public GraphRun(InferenceSession session, ModelDefinition definition)
        {
            _session = session;
            _definition = definition;
            var expected = InputSchema(definition).Select(c => c.ColumnName).ToList();
            var inputs = session.InputMetadata.Keys.ToList();
            var unknown = inputs.Except(expected, StringComparer.Ordinal).ToList();
            var missing = expected.Except(inputs, StringComparer.Ordinal).ToList();
            if (unknown.Count > 0 || missing.Count > 0)
            {
                throw new ModelExportException(
                    $"The exported graph takes the inputs {string.Join(", ", inputs)}, not the columns of the model's rows ({string.Join(", ", expected)}): the converter did not convert the whole pipeline.");
            }

            _inputs = [.. inputs];
            var outputs = session.OutputMetadata.Keys.ToList();
            _outputs = OutputColumns(definition.Task).ToDictionary(
                c => c,
                c => outputs.FirstOrDefault(o => o == c + OutputSuffix) ?? outputs.FirstOrDefault(o => o.StartsWith(c + ".", StringComparison.Ordinal))
                    ?? throw new ModelExportException($"The exported graph has no output of column {c} (its outputs: {string.Join(", ", outputs)})."),
                StringComparer.Ordinal);
        }

        /// <summary>The graph output that holds <paramref name="column"/>.</summary>
        public string Output(string column) => _outputs[column];

        /// <summary>Each input with the features it takes, and each output with what it holds.</summary>
        public IEnumerable<string> Describe()
        {
            foreach (var (name, node) in _session.InputMetadata)
            {
                var features = name == FeatureRow.NumbersColumn
                    ? [.. _definition.NumericFeatures.Select(f => f.Name), .. _definition.DerivedFeatures.Select(f => $"{f.Name} (derived: {f.Formula}; compute it before scoring)")]
                    : _definition.CategoricalFeatures.Select(f => f.Name).ToList();
                yield return $"input {name}: {OnnxScorer.TypeText(node)}, one row per instance: {string.Join(", ", features)}";
            }

            foreach (var (name, node) in _session.OutputMetadata)
            {
                var column = _outputs.FirstOrDefault(o => o.Value == name).Key;
                var holds = (_definition.Task, column) switch
                {
                    (_, null) => "not a prediction (the converter's own, left unused)",
                    (ModelTask.Binary, "PredictedLabel") => "the predicted label (true when the score is above 0)",
                    (ModelTask.Binary, "Score") => "the raw score",
                    (ModelTask.Binary, _) => $"the probability that {_definition.Label.Name} is true",
                    (ModelTask.Multiclass, "Score") => $"the probability of each class: {string.Join(", ", _definition.Label.Classes)}",
                    _ => $"the predicted {_definition.Label.Name}",
                };
                yield return $"output {name}: {OnnxScorer.TypeText(node)}: {holds}";
            }
        }

        /// <summary>Runs the graph on a batch.</summary>
        public Outputs Run(FeatureRow[] rows)
        {
            var values = new List<OrtValue>(_inputs.Length);
            try
            {
                foreach (var input in _inputs)
                {
                    values.Add(input == FeatureRow.NumbersColumn ? NumbersTensor(rows) : CategoriesTensor(rows));
                }

                var names = _outputs.Values.ToArray();
                using var options = new RunOptions();
                var results = _session.Run(options, _inputs, values, names);
                return new Outputs(results, names.Zip(_outputs.Keys).ToDictionary(p => p.Second, p => results[Array.IndexOf(names, p.First)], StringComparer.Ordinal));
            }
            catch (OnnxRuntimeException ex)
            {
                throw new ModelExportException($"ONNX Runtime failed to score the exported graph on {rows.Length} row(s): {ex.Message.Trim()}", ex);
            }
            finally
            {
                foreach (var value in values)
                {
                    value.Dispose();
                }
            }
        }

        private OrtValue NumbersTensor(FeatureRow[] rows)
        {
            var width = _definition.NumericFeatures.Count + _definition.DerivedFeatures.Count;
            var values = new float[rows.Length * width];
            for (var r = 0; r < rows.Length; r++)
            {
                rows[r].Numbers.AsSpan(0, width).CopyTo(values.AsSpan(r * width, width));
            }

            return OrtValue.CreateTensorValueFromMemory(values, [rows.Length, width]);
        }

        private OrtValue CategoriesTensor(FeatureRow[] rows)
        {
            var width = _definition.CategoricalFeatures.Count;
            var text = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [rows.Length, width]);
            for (var r = 0; r < rows.Length; r++)
            {
                for (var c = 0; c < width; c++)
                {
                    text.StringTensorSetElementAt(rows[r].Categories[c].AsSpan(), (r * width) + c);
                }
            }

            return text;
        }
    }

    /// <summary>The outputs of one run, by the pipeline column they hold.</summary>
    private sealed class Outputs(IDisposableReadOnlyCollection<OrtValue> results, Dictionary<string, OrtValue> byColumn) : IDisposable
    {
        private readonly Dictionary<string, float[]> _numbers = new(StringComparer.Ordinal);

        /// <summary>Element <paramref name="index"/> of a float output of <paramref name="width"/> numbers per row.</summary>
        public float Number(string column, int index, int width)
        {
            if (!_numbers.TryGetValue(column, out var values))
            {
                values = OnnxScorer.Numbers(byColumn[column]);
                _numbers[column] = values;
            }

            return values.Length % width == 0 && index < values.Length
                ? values[index]
                : throw new ModelExportException($"Output of column {column} holds {values.Length} numbers, not {width} per row.");
        }

        public bool Flag(string column, int row) => byColumn[column].GetTensorDataAsSpan<bool>()[row];

        public string Text(string column, int row) => byColumn[column].GetStringElement(row);

        public void Dispose() => results.Dispose();
    }
}
