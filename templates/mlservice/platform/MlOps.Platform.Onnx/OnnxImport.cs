using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Platform.Onnx;

/// <summary>
/// Works out how a graph exported anywhere binds to a model defined from its evaluation data, the way exporters
/// write graphs: one [batch, features] tensor or one input per column; a classifier's probabilities as a tensor or as
/// scikit-learn's ZipMap (a sequence of maps), or logits; a regression's values. Classes are matched by the map keys
/// the graph writes, else taken in sorted order of the label's values (scikit-learn's <c>classes_</c>). Anything it
/// cannot bind is refused naming the input or output; the binding is then checked by scoring the rows.
/// </summary>
public static class OnnxImport
{
    private const int SampleRows = 200;

    /// <inheritdoc cref="ModelKind.Bind"/>
    public static ImportBinding Bind(byte[] graph, string path, ModelDefinition model, IReadOnlyList<FeatureRow> rows, IReadOnlyList<string> labelValues)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labelValues);
        var info = OnnxModelInfo.Read(graph, path);
        OnnxBinding binding;
        using (var session = OnnxKind.CreateSession(graph, path))
        {
            var featuresInput = FeaturesInput(session, model, path);
            binding = model.Task == ModelTask.Regression
                ? new OnnxBinding { FeaturesInput = featuresInput, Output = RegressionOutput(session, path), Scores = OnnxScores.Value }
                : ClassifierBinding(session, new BoundOnnxModel(model, new OnnxBinding { FeaturesInput = featuresInput, Output = string.Empty, Scores = OnnxScores.Probabilities }), rows, labelValues, path);
        }

        using var scorer = OnnxKind.OpenGraph(graph, new BoundOnnxModel(model, binding), path);
        var described = scorer.Describe();
        var outcomes = scorer.Score(rows);
        if (outcomes.Any(o => !o.IsValid))
        {
            throw new ModelLoadException($"ONNX file '{path}' scores some evaluation rows as NaN or infinity.", "ONNX model scores NaN");
        }

        return new ImportBinding("OnnxModelDefinition", typeof(OnnxModelDefinition).Namespace!, Code(binding, model.Name),
        [
            $"ONNX file {Path.GetFileName(path)}: producer {Text(info.Producer)} {Text(info.ProducerVersion)}, IR version {info.IrVersion}, opset {info.OpsetText}; loaded by ONNX Runtime {OnnxKind.RuntimeVersion}.",
            .. described.Select(d => "  " + d),
            $"  binding: {Describe(binding, model)}",
            $"  scored the {rows.Count} evaluation rows in one batch.",
        ]);
    }

    private static string Text(string value) => value.Length > 0 ? value : "unknown";

    private static string? FeaturesInput(InferenceSession session, ModelDefinition model, string path)
    {
        var inputs = session.InputMetadata.Keys.ToList();
        var features = model.Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        if (inputs.All(features.Contains))
        {
            return null;
        }

        return inputs.Count == 1
            ? inputs[0]
            : throw new ModelLoadException(
                $"ONNX file '{path}' has inputs {string.Join(", ", inputs.Select(i => $"'{i}'"))}: neither one tensor of all {model.Features.Count} features nor one input per feature named as the data's columns ({string.Join(", ", features)}). Rename the columns of the data after the inputs, or export the graph with one input.",
                "ONNX inputs do not match the features");
    }

    private static string RegressionOutput(InferenceSession session, string path)
    {
        var numbers = session.OutputMetadata.Where(o => IsNumberTensor(o.Value)).Select(o => o.Key).ToList();
        return numbers.Count >= 1
            ? numbers[0]
            : throw new ModelLoadException($"ONNX file '{path}' has no float tensor output for a regression's values (outputs: {string.Join(", ", session.OutputMetadata.Keys)}).", "ONNX outputs do not match the task");
    }

    private static bool IsNumberTensor(NodeMetadata node) =>
        node.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR && node.ElementDataType is TensorElementType.Float or TensorElementType.Double;

    /// <summary>
    /// A sequence of maps (ZipMap) is read by its keys; otherwise the float tensor output, probabilities when every
    /// row holds numbers in [0, 1] summing to 1 (or one column in [0, 1]), logits otherwise.
    /// </summary>
    private static OnnxBinding ClassifierBinding(InferenceSession session, BoundOnnxModel probe, IReadOnlyList<FeatureRow> rows, IReadOnlyList<string> labelValues, string path)
    {
        var outputs = session.OutputMetadata;
        var sorted = SortedLikeClasses(labelValues);
        var byPosition = labelValues.Select(v => sorted.IndexOf(v).ToString(CultureInfo.InvariantCulture)).ToList();
        if (outputs.FirstOrDefault(o => o.Value.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE) is { Key: { } maps })
        {
            var keys = MapKeys(session, probe, rows, maps, path);
            var classKeys = labelValues.All(keys.Contains) ? labelValues.ToList()
                : keys.Count == labelValues.Count && byPosition.All(keys.Contains) ? byPosition
                : throw new ModelLoadException(
                    $"ONNX file '{path}': output '{maps}' has the classes {string.Join(", ", keys)}, not the label's values {string.Join(", ", labelValues)} (nor their positions).",
                    "ONNX classes do not match the label");
            return probe.Onnx with { Output = maps, Scores = OnnxScores.Probabilities, ClassKeys = classKeys };
        }

        var candidates = outputs.Where(o => IsNumberTensor(o.Value)).OrderByDescending(o => o.Key.Contains("prob", StringComparison.OrdinalIgnoreCase)).ToList();
        if (candidates.Count == 0)
        {
            throw new ModelLoadException(
                $"ONNX file '{path}' has no float tensor or sequence of maps output for a classifier's probabilities or logits (outputs: {string.Join(", ", outputs.Keys)}).",
                "ONNX outputs do not match the task");
        }

        var output = candidates[0].Key;
        var values = Run(session, probe, rows, output, path);
        var width = values.Length / Math.Min(rows.Count, SampleRows);
        if (width != labelValues.Count && !(width == 1 && labelValues.Count == 2))
        {
            throw new ModelLoadException(
                $"ONNX file '{path}': output '{output}' has {width} column(s) per row, but the label has {labelValues.Count} classes ({string.Join(", ", labelValues)}).",
                "ONNX outputs do not match the task");
        }

        var probabilities = values.All(v => v is >= 0 and <= 1)
            && (width == 1 || Enumerable.Range(0, values.Length / width).All(r => Math.Abs(values.AsSpan(r * width, width).ToArray().Sum() - 1) < 1e-3));
        return probe.Onnx with
        {
            Output = output,
            Scores = probabilities ? OnnxScores.Probabilities : OnnxScores.Logits,
            ClassKeys = width == 1 ? ["0"] : byPosition,
        };
    }

    /// <summary>The label's values in the order a producer numbers classes: numerically when they are numbers, else ordinally.</summary>
    private static List<string> SortedLikeClasses(IReadOnlyList<string> values) =>
        values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            ? [.. values.OrderBy(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture))]
            : [.. values.Order(StringComparer.Ordinal)];

    private static HashSet<string> MapKeys(InferenceSession session, BoundOnnxModel probe, IReadOnlyList<FeatureRow> rows, string output, string path)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        using var results = RunRaw(session, probe, rows.Take(1).ToList(), output, path);
        results[0].ProcessSequence(
            (map, _) => map.ProcessMap(
                (mapKeys, _) =>
                {
                    keys.UnionWith(mapKeys.GetTensorTypeAndShape().ElementDataType == TensorElementType.String
                        ? mapKeys.GetStringTensorAsArray()
                        : mapKeys.GetTensorDataAsSpan<long>().ToArray().Select(k => k.ToString(CultureInfo.InvariantCulture)));
                },
                OrtAllocator.DefaultInstance),
            OrtAllocator.DefaultInstance);
        return keys;
    }

    private static float[] Run(InferenceSession session, BoundOnnxModel probe, IReadOnlyList<FeatureRow> rows, string output, string path)
    {
        using var results = RunRaw(session, probe, [.. rows.Take(SampleRows)], output, path);
        var value = results[0];
        return value.GetTensorTypeAndShape().ElementDataType == TensorElementType.Double
            ? [.. value.GetTensorDataAsSpan<double>().ToArray().Select(v => (float)v)]
            : value.GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Runs the graph on rows through the scorer's own input binding, reading one output as the graph writes it.</summary>
    private static IDisposableReadOnlyCollection<OrtValue> RunRaw(InferenceSession session, BoundOnnxModel probe, IReadOnlyList<FeatureRow> rows, string output, string path)
    {
        var inputs = OnnxScorer.Inputs(session, probe, rows);
        try
        {
            return session.Run(OnnxScorer.Runs, [.. inputs.Keys], [.. inputs.Values], [output]);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"ONNX file '{path}' fails to score the evaluation rows: {ex.Message.Trim()}", "ONNX model fails to score", ex);
        }
        finally
        {
            foreach (var input in inputs.Values)
            {
                input.Dispose();
            }
        }
    }

    private static string Describe(OnnxBinding binding, ModelDefinition model) =>
        (binding.FeaturesInput is { } input ? $"input '{input}' takes the {model.Features.Count} features in the data's column order" : "one input per feature, by name")
        + $"; output '{binding.Output}' read as {binding.Scores.ToString().ToLowerInvariant()}"
        + (binding.ClassKeys.Count > 0 ? $", class keys [{string.Join(", ", binding.ClassKeys)}]" + (model.Task == ModelTask.Binary ? " (false, true)" : $" ({string.Join(", ", model.Label.Classes)})") : string.Empty);

    private static List<string> Code(OnnxBinding binding, string name)
    {
        var lines = new List<string>
        {
            $"    // How the graph {OnnxKind.SourceFolder}/{name}.onnx binds to the features and the prediction (worked out by make add-model).",
            "    public override OnnxBinding Onnx { get; } = new()",
            "    {",
        };
        if (binding.FeaturesInput is { } input)
        {
            lines.Add($"        FeaturesInput = {Literal(input)},");
        }

        lines.Add($"        Output = {Literal(binding.Output)},");
        lines.Add($"        Scores = OnnxScores.{binding.Scores},");
        if (binding.ClassKeys.Count > 0)
        {
            lines.Add($"        ClassKeys = [{string.Join(", ", binding.ClassKeys.Select(Literal))}],");
        }

        lines.Add("    };");
        return lines;
    }

    private static string Literal(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
