using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Platform.Serving.Inference;

/// <summary>
/// Compares what callers send with what the model was trained on. For each feature that has a
/// reference distribution in the manifest (<c>feature_reference</c>), it keeps the bins of the last
/// <see cref="ServingOptions.DriftWindow"/> inputs and publishes their population stability index
/// (PSI) once <see cref="MinimumInputs"/> inputs were seen. Requests only count their inputs into the bins;
/// the PSI is computed when it is published, before each scrape of <c>/metrics</c>, so its cost does not
/// grow with the request rate. PSI below 0.1 means no real change,
/// 0.1 to 0.25 a moderate shift, above 0.25 a distribution the model was not trained on.
/// </summary>
public sealed class DriftMonitor
{
    /// <summary>Fewer inputs than this give a PSI that is mostly sampling noise, so none is published.</summary>
    public const int MinimumInputs = 100;

    private readonly Lock _gate = new();
    private readonly TrackedFeature[] _features;
    private readonly int _window;
    private readonly Action<string, double> _publish;
    private int _inWindow;
    private bool _stopped;

    private DriftMonitor(TrackedFeature[] features, int window, Action<string, double> publish)
    {
        _features = features;
        _window = window;
        _publish = publish;
    }

    /// <summary>Names of the features whose drift is tracked.</summary>
    public IReadOnlyList<string> Features => _features.Select(f => f.Accessor.Name).ToList();

    /// <summary>
    /// A monitor for every feature of <paramref name="model"/> that has a reference; null when there is none
    /// (a model trained before references were recorded): drift is then not published.
    /// </summary>
    public static DriftMonitor? Create(
        ModelDefinition model,
        IReadOnlyDictionary<string, DriftReference>? references,
        int window,
        Action<string, double> publish)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, MinimumInputs);
        if (references is null)
        {
            return null;
        }

        var features = FeatureAccessor.Of(model)
            .Where(a => references.ContainsKey(a.Name) && references[a.Name].Fits(a))
            .Select(a => new TrackedFeature(a, references[a.Name], window))
            .ToArray();
        return features.Length == 0 ? null : new DriftMonitor(features, window, publish);
    }

    /// <summary>Adds validated inputs to the window.</summary>
    public void Observe(IReadOnlyList<FeatureRow> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            foreach (var input in inputs)
            {
                var full = _inWindow == _window;
                foreach (var feature in _features)
                {
                    feature.Add(input, full);
                }

                if (!full)
                {
                    _inWindow++;
                }
            }
        }
    }

    /// <summary>Publishes the PSI of every tracked feature once enough inputs were seen (called before each scrape).</summary>
    public void Publish()
    {
        lock (_gate)
        {
            if (_stopped || _inWindow < MinimumInputs)
            {
                return;
            }

            foreach (var feature in _features)
            {
                _publish(feature.Accessor.Name, feature.Psi());
            }
        }
    }

    /// <summary>Stops publishing: called when another model replaces the one this monitor belongs to.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
        }
    }

    /// <summary>One feature's ring buffer of the latest bins and the count of inputs per bin.</summary>
    private sealed class TrackedFeature(FeatureAccessor accessor, DriftReference reference, int window)
    {
        private readonly int[] _ring = new int[window];
        private readonly long[] _counts = new long[reference.BinCount];
        private int _next;

        public FeatureAccessor Accessor { get; } = accessor;

        public void Add(FeatureRow input, bool full)
        {
            var bin = Accessor.IsNumeric ? reference.BinOf(input.Numbers[Accessor.Slot]) : reference.BinOf(input.Categories[Accessor.Slot]);
            if (full)
            {
                _counts[_ring[_next]]--;
            }

            _ring[_next] = bin;
            _counts[bin]++;
            _next = (_next + 1) % _ring.Length;
        }

        public double Psi() => DriftReference.Psi(reference.Proportions, _counts);
    }
}

/// <summary>
/// The training distribution of one feature, as written to <c>manifest.json</c> under
/// <c>feature_reference</c>: numeric features have interior bin edges (a value falls in bin i when i
/// edges are at or below it) and the share of training rows per bin; categorical features have their
/// categories and the share of each. Values outside the known categories fall in one extra bin whose
/// training share is zero, so they show up as drift.
/// </summary>
public sealed record DriftReference
{
    /// <summary>Stands in for an empty bin, so the logarithm in the PSI stays finite.</summary>
    public const double Epsilon = 1e-4;

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <c>numeric</c> or <c>categorical</c>.
    public required string Kind { get; init; }

    /// <summary>Interior bin edges of a numeric feature, ascending; empty for a categorical one.</summary>
    public IReadOnlyList<double> Edges { get; init; } = [];

    /// <summary>Categories of a categorical feature; empty for a numeric one.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Share of the training rows in each bin (the unknown bin has none).</summary>
    public required IReadOnlyList<double> Proportions { get; init; }

    /// <summary>Whether this is the reference of a numeric feature.</summary>
    [JsonIgnore]
    public bool IsNumeric => Kind == "numeric";

    /// <summary>Numeric: one bin more than edges. Categorical: one per category plus the unknown bin.</summary>
    [JsonIgnore]
    public int BinCount => IsNumeric ? Edges.Count + 1 : Categories.Count + 1;

    /// <summary>The bin a numeric value falls in: the number of edges at or below it.</summary>
    public int BinOf(double value)
    {
        var bin = 0;
        while (bin < Edges.Count && Edges[bin] <= value)
        {
            bin++;
        }

        return bin;
    }

    /// <summary>The bin of a category; the unknown bin (the last) for a category not in <see cref="Categories"/>.</summary>
    public int BinOf(string value)
    {
        for (var i = 0; i < Categories.Count; i++)
        {
            if (string.Equals(Categories[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return Categories.Count;
    }

    /// <summary>
    /// Population stability index of observed bin counts against reference proportions:
    /// the sum over bins of (observed − expected) · ln(observed / expected), empty bins counted as <see cref="Epsilon"/>.
    /// </summary>
    public static double Psi(IReadOnlyList<double> expected, IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(counts);
        double total = counts.Sum();
        if (total <= 0)
        {
            return 0;
        }

        var psi = 0.0;
        for (var i = 0; i < counts.Count; i++)
        {
            var actual = Math.Max(counts[i] / total, Epsilon);
            var reference = Math.Max(i < expected.Count ? expected[i] : 0, Epsilon);
            psi += (actual - reference) * Math.Log(actual / reference);
        }

        return psi;
    }

    /// <summary>
    /// Reads <c>feature_reference</c> from the manifest that was loaded with the model (the same bytes, so model and
    /// reference always belong together). Null when there is no manifest or no such section.
    /// </summary>
    /// <exception cref="FormatException">The section exists but does not have the expected shape.</exception>
    public static IReadOnlyDictionary<string, DriftReference>? FromManifest(ReadOnlySpan<byte> manifestJson)
    {
        if (manifestJson.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(manifestJson);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("feature_reference", out var section)
                || section.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return section.Deserialize<Dictionary<string, DriftReference>>(s_json)
                ?? throw new FormatException("feature_reference is null.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"feature_reference of the manifest is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Whether this reference can describe the feature: same kind and consistent bins.</summary>
    internal bool Fits(FeatureAccessor feature) =>
        (IsNumeric
            ? feature.IsNumeric && Proportions.Count == Edges.Count + 1 && Edges.Zip(Edges.Skip(1)).All(p => p.First <= p.Second)
            : Kind == "categorical" && !feature.IsNumeric && Proportions.Count == Categories.Count)
        && Proportions.All(p => double.IsFinite(p) && p >= 0);
}

/// <summary>Where one feature of a model sits in <see cref="FeatureRow"/>: numeric or categorical, and its slot.</summary>
public sealed record FeatureAccessor(string Name, bool IsNumeric, int Slot)
{
    /// <summary>Every feature of <paramref name="model"/>, in its order.</summary>
    public static IReadOnlyList<FeatureAccessor> Of(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Features
            .Select(f => f is NumericFeature numeric
                ? new FeatureAccessor(f.Name, true, IndexOf(model.NumericFeatures, numeric))
                : new FeatureAccessor(f.Name, false, IndexOf(model.CategoricalFeatures, (CategoricalFeature)f)))
            .ToList();
    }

    private static int IndexOf<T>(IReadOnlyList<T> list, T item)
        where T : FeatureColumn
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Name == item.Name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Feature '{item.Name}' is not in the model's layout.");
    }
}
