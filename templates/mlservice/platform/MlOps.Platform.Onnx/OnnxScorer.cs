using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Platform.Onnx;

/// <summary>
/// Scores batches with one ONNX Runtime session, shared by every request (a session runs concurrently). A batch is
/// one run: its rows go in as one tensor per graph input, and come out as one tensor (or one sequence of maps).
/// Binding the graph to the definition happens once, here: an input or output that cannot be bound is refused at
/// load, naming it, never at the first request.
/// </summary>
public sealed class OnnxScorer : ModelScorer
{
    private static readonly TensorElementType[] s_numberTypes = [TensorElementType.Float, TensorElementType.Double, TensorElementType.Int64, TensorElementType.Int32];
    private readonly InferenceSession _session;

    /// <summary>The options of every run: none set, so one instance serves concurrent runs (nothing ever terminates it).</summary>
    internal static RunOptions Runs { get; } = new();

    private readonly OnnxModelDefinition _definition;
    private readonly OnnxBinding _binding;
    private readonly Feed[] _feeds;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int[] _classColumns;
    private readonly bool _outputIsMaps;

    internal OnnxScorer(InferenceSession session, OnnxModelDefinition definition, string path)
    {
        _session = session;
        _definition = definition;
        _binding = definition.Onnx;
        _feeds = BindInputs(session, definition, path);
        _inputNames = [.. _feeds.Select(f => f.Input)];
        _outputNames = [_binding.Output];
        (_outputIsMaps, _classColumns) = BindOutput(session, definition, path);
    }

    /// <summary>The graph's inputs and outputs as the runtime reads them: name, type and shape (? for a free axis).</summary>
    public IReadOnlyList<string> Describe() =>
        [
            .. _session.InputMetadata.Select(i => $"input {i.Key}: {TypeText(i.Value)}"),
            .. _session.OutputMetadata.Select(o => $"output {o.Key}: {TypeText(o.Value)}"),
        ];

    /// <inheritdoc />
    public override Outcome[] Score(IReadOnlyList<FeatureRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return [];
        }

        var inputs = new List<OrtValue>(_feeds.Length);
        try
        {
            foreach (var feed in _feeds)
            {
                inputs.Add(feed.Create(rows));
            }

            using var results = _session.Run(Runs, _inputNames, inputs, _outputNames);
            return Outcomes(results[0], rows.Count);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidOperationException($"ONNX Runtime failed to score {rows.Count} row(s): {ex.Message.Trim()}", ex);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => _session.Dispose();

    /// <summary>The input tensors of <paramref name="rows"/> for a session, by input name, bound as a scorer binds them (the caller disposes them).</summary>
    internal static Dictionary<string, OrtValue> Inputs(InferenceSession session, OnnxModelDefinition definition, IReadOnlyList<FeatureRow> rows) =>
        BindInputs(session, definition, definition.SourcePath).ToDictionary(f => f.Input, f => f.Create(rows), StringComparer.Ordinal);

    internal static string TypeText(NodeMetadata node) => node.OnnxValueType switch
    {
        OnnxValueType.ONNX_TYPE_TENSOR => $"tensor({node.ElementDataType.ToString().ToLowerInvariant()}) [{string.Join(", ", node.Dimensions.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]",
        OnnxValueType.ONNX_TYPE_SEQUENCE => "sequence of " + (node.AsSequenceMetadata().ElementMeta is { } element ? TypeText(element) : "?"),
        OnnxValueType.ONNX_TYPE_MAP => $"map({node.AsMapMetadata().KeyDataType.ToString().ToLowerInvariant()}, {(node.AsMapMetadata().ValueMetadata is { } value ? TypeText(value) : "?")})",
        _ => node.OnnxValueType.ToString(),
    };

    private static Feed[] BindInputs(InferenceSession session, OnnxModelDefinition definition, string path)
    {
        var inputs = session.InputMetadata;
        if (definition.Onnx.FeaturesInput is { } name)
        {
            if (definition.CategoricalFeatures.Count > 0)
            {
                throw Refused(path, $"its one input '{name}' takes numbers, but model {definition.Name} has categorical features ({string.Join(", ", definition.CategoricalFeatures.Select(f => f.Name))})");
            }

            var extra = inputs.Keys.Where(k => k != name).ToList();
            if (extra.Count > 0)
            {
                throw Refused(path, $"it has input(s) {string.Join(", ", extra.Select(e => $"'{e}'"))} besides '{name}', which nothing feeds");
            }

            var width = definition.NumericFeatures.Count + definition.DerivedFeatures.Count;
            var input = Input(inputs, name, path);
            CheckShape(input, name, path, width);
            return [new NumbersFeed(name, input.ElementDataType, width, input.Dimensions.Length)];
        }

        var feeds = new List<Feed>();
        var slots = definition.NumericFeatures.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var categories = definition.CategoricalFeatures.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        foreach (var (inputName, metadata) in inputs)
        {
            CheckShape(metadata, inputName, path, 1);
            if (slots.TryGetValue(inputName, out var slot))
            {
                feeds.Add(new ColumnFeed(inputName, metadata.ElementDataType, slot, null, metadata.Dimensions.Length));
            }
            else if (categories.TryGetValue(inputName, out var category))
            {
                if (metadata.ElementDataType != TensorElementType.String)
                {
                    throw Refused(path, $"input '{inputName}' is a tensor({metadata.ElementDataType.ToString().ToLowerInvariant()}), but feature '{inputName}' is categorical (text)");
                }

                feeds.Add(new ColumnFeed(inputName, TensorElementType.String, -1, category, metadata.Dimensions.Length));
            }
            else
            {
                throw Refused(path, $"input '{inputName}' is not a feature of model {definition.Name} (features: {string.Join(", ", definition.Features.Select(f => f.Name))})");
            }
        }

        var unfed = definition.Features.Select(f => f.Name).Where(f => !inputs.ContainsKey(f)).ToList();
        return unfed.Count > 0
            ? throw Refused(path, $"feature(s) {string.Join(", ", unfed)} of model {definition.Name} have no input of that name")
            : [.. feeds];
    }

    private static NodeMetadata Input(IReadOnlyDictionary<string, NodeMetadata> inputs, string name, string path) =>
        inputs.TryGetValue(name, out var input)
            ? input
            : throw Refused(path, $"it has no input '{name}' (its inputs: {string.Join(", ", inputs.Keys)})");

    /// <summary>An input must be a tensor of [batch, width] (or [batch] for a width of 1) with a free or any batch axis.</summary>
    private static void CheckShape(NodeMetadata input, string name, string path, int width)
    {
        if (input.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw Refused(path, $"input '{name}' is a {TypeText(input)}, not a tensor");
        }

        if (input.ElementDataType != TensorElementType.String && !s_numberTypes.Contains(input.ElementDataType))
        {
            throw Refused(path, $"input '{name}' is a {TypeText(input)}: only float, double, int32, int64 and string tensors are bound to features");
        }

        var dims = input.Dimensions;
        var fits = dims.Length switch
        {
            1 => width == 1,
            2 => dims[1] == width || (dims[1] < 0 && width == 1),
            _ => false,
        };
        if (!fits)
        {
            throw Refused(
                path,
                $"input '{name}' has shape {TypeText(input)}; it cannot be bound to a batch of rows of {width} feature(s): an input needs a batch axis, then {(width == 1 ? "at most one axis of 1" : $"one axis of {width}")}");
        }
    }

    private (bool Maps, int[] Columns) BindOutput(InferenceSession session, OnnxModelDefinition definition, string path)
    {
        var outputs = session.OutputMetadata;
        var name = _binding.Output;
        if (!outputs.TryGetValue(name, out var output))
        {
            throw Refused(path, $"it has no output '{name}' (its outputs: {string.Join(", ", outputs.Keys)})");
        }

        if (definition.Task == ModelTask.Regression)
        {
            return _binding.Scores == OnnxScores.Value && output.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR && IsNumber(output.ElementDataType)
                ? (false, [])
                : throw Refused(path, $"output '{name}' is a {TypeText(output)}; a regression reads one number per row from a float tensor");
        }

        var expected = definition.Task == ModelTask.Binary ? 2 : definition.Label.Classes.Count;
        var keys = _binding.ClassKeys;
        if (_binding.Scores == OnnxScores.Value || keys.Count is 0 || (keys.Count != expected && !(definition.Task == ModelTask.Binary && keys.Count == 1)))
        {
            throw Refused(path, $"the binding of output '{name}' needs {expected} class keys for a {definition.Task.ToText()} model and probabilities or logits, got [{string.Join(", ", keys)}] and {_binding.Scores}");
        }

        if (output.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            return _binding.Scores == OnnxScores.Probabilities
                ? (true, [])
                : throw Refused(path, $"output '{name}' is a {TypeText(output)}; a sequence of maps holds probabilities, not logits");
        }

        if (output.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || !IsNumber(output.ElementDataType))
        {
            throw Refused(path, $"output '{name}' is a {TypeText(output)}; a classifier reads probabilities or logits from a float tensor or a sequence of maps");
        }

        var columns = keys.Select(k => int.TryParse(k, System.Globalization.CultureInfo.InvariantCulture, out var c) && c >= 0 ? c : -1).ToArray();
        var width = output.Dimensions.Length == 2 ? output.Dimensions[1] : 1;
        if (columns.Any(c => c < 0 || (width > 0 && c >= width)))
        {
            throw Refused(path, $"output '{name}' is a {TypeText(output)}; class keys [{string.Join(", ", keys)}] are not all columns of it");
        }

        return (false, columns);
    }

    private static bool IsNumber(TensorElementType type) => type is TensorElementType.Float or TensorElementType.Double;

    private static ModelLoadException Refused(string path, string why) =>
        new($"ONNX file '{path}' does not fit its model definition: {why}.", "ONNX model does not fit its definition");

    private Outcome[] Outcomes(OrtValue output, int count)
    {
        var task = _definition.Task;
        if (task == ModelTask.Regression)
        {
            var values = Numbers(output);
            return values.Length != count
                ? throw new InvalidOperationException($"Output '{_binding.Output}' holds {values.Length} numbers for {count} rows.")
                : [.. values.Select(v => (Outcome)new RegressionOutcome(v))];
        }

        var probabilities = _outputIsMaps ? FromMaps(output, count) : FromTensor(output, count);
        var outcomes = new Outcome[count];
        for (var r = 0; r < count; r++)
        {
            var p = probabilities[r];
            if (task == ModelTask.Binary)
            {
                var positive = p[^1];
                outcomes[r] = new BinaryOutcome(positive >= 0.5f, positive, Logit(positive));
            }
            else
            {
                var best = 0;
                for (var c = 1; c < p.Length; c++)
                {
                    best = p[c] > p[best] ? c : best;
                }

                outcomes[r] = new MulticlassOutcome(_definition.Label.Classes[best], p);
            }
        }

        return outcomes;
    }

    private float[][] FromTensor(OrtValue output, int count)
    {
        var values = Numbers(output);
        var width = values.Length / count;
        if (width * count != values.Length || _classColumns.Any(c => c >= width))
        {
            throw new InvalidOperationException($"Output '{_binding.Output}' holds {values.Length} numbers for {count} rows and classes [{string.Join(", ", _binding.ClassKeys)}].");
        }

        var rows = new float[count][];
        for (var r = 0; r < count; r++)
        {
            var p = new float[_classColumns.Length];
            for (var c = 0; c < p.Length; c++)
            {
                p[c] = values[(r * width) + _classColumns[c]];
            }

            rows[r] = _binding.Scores == OnnxScores.Logits ? (p.Length == 1 ? [Sigmoid(p[0])] : Softmax(p)) : p;
        }

        return rows;
    }

    private float[][] FromMaps(OrtValue output, int count)
    {
        var rows = new float[count][];
        var keys = _binding.ClassKeys;
        output.ProcessSequence(
            (map, r) => map.ProcessMap(
                (mapKeys, mapValues) =>
                {
                    var names = mapKeys.GetTensorTypeAndShape().ElementDataType == TensorElementType.String
                        ? mapKeys.GetStringTensorAsArray()
                        : [.. mapKeys.GetTensorDataAsSpan<long>().ToArray().Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture))];
                    var values = Numbers(mapValues);
                    rows[r] = [.. keys.Select(k => Array.IndexOf(names, k) is var i and >= 0 ? values[i]
                        : throw new InvalidOperationException($"Output '{_binding.Output}' has no class '{k}' (its keys: {string.Join(", ", names)})."))];
                },
                OrtAllocator.DefaultInstance),
            OrtAllocator.DefaultInstance);
        return rows.Any(r => r is null) ? throw new InvalidOperationException($"Output '{_binding.Output}' holds fewer maps than the {count} rows.") : rows;
    }

    internal static float[] Numbers(OrtValue value) =>
        value.GetTensorTypeAndShape().ElementDataType == TensorElementType.Double
            ? [.. value.GetTensorDataAsSpan<double>().ToArray().Select(v => (float)v)]
            : value.GetTensorDataAsSpan<float>().ToArray();

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private static float Logit(float p) => MathF.Log(Math.Clamp(p, 1e-7f, 1 - 1e-7f) / (1 - Math.Clamp(p, 1e-7f, 1 - 1e-7f)));

    private static float[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(l => MathF.Exp(l - max)).ToArray();
        var sum = exp.Sum();
        return [.. exp.Select(e => e / sum)];
    }

    /// <summary>Builds one input tensor of a batch.</summary>
    private abstract record Feed(string Input, TensorElementType Type, int Rank)
    {
        public abstract OrtValue Create(IReadOnlyList<FeatureRow> rows);

        protected OrtValue Tensor(float[] values, long rows)
        {
            long[] shape = Rank == 1 ? [rows] : [rows, values.Length / rows];
            return Type switch
            {
                TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(values.Select(v => (double)v).ToArray(), shape),
                TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(values.Select(v => (long)v).ToArray(), shape),
                TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(values.Select(v => (int)v).ToArray(), shape),
                _ => OrtValue.CreateTensorValueFromMemory(values, shape),
            };
        }
    }

    /// <summary>Every numeric feature of each row (then the derived ones), as one [batch, width] tensor.</summary>
    private sealed record NumbersFeed(string Input, TensorElementType Type, int Width, int Rank) : Feed(Input, Type, Rank)
    {
        public override OrtValue Create(IReadOnlyList<FeatureRow> rows)
        {
            var values = new float[rows.Count * Width];
            for (var r = 0; r < rows.Count; r++)
            {
                rows[r].Numbers.AsSpan(0, Width).CopyTo(values.AsSpan(r * Width, Width));
            }

            return Tensor(values, rows.Count);
        }
    }

    /// <summary>One feature of each row, as a [batch, 1] (or [batch]) tensor of numbers or of text.</summary>
    private sealed record ColumnFeed(string Input, TensorElementType Type, int Slot, int? Category, int Rank) : Feed(Input, Type, Rank)
    {
        public override OrtValue Create(IReadOnlyList<FeatureRow> rows)
        {
            if (Category is not { } category)
            {
                return Tensor([.. rows.Select(r => r.Numbers[Slot])], rows.Count);
            }

            long[] shape = Rank == 1 ? [rows.Count] : [rows.Count, 1];
            var text = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            for (var r = 0; r < rows.Count; r++)
            {
                text.StringTensorSetElementAt(rows[r].Categories[category].AsSpan(), r);
            }

            return text;
        }
    }
}
