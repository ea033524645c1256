using Microsoft.Extensions.Options;
using Prometheus;

namespace Ml_Service.Api.Serving;

/// <summary>
/// The model's Prometheus metrics (<c>ml_*</c>), served at <c>/metrics</c> beside the HTTP and process
/// metrics. Every series carries the model name (<see cref="ServingOptions.Name"/>) as label <c>model</c>.
/// docs/MONITORING.md lists them with what each one means.
/// </summary>
public sealed class ServingMetrics
{
    private static readonly double[] s_probabilityBuckets = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

    private readonly string _model;
    private readonly CollectorRegistry _registry;
    private readonly Counter _predictions;
    private readonly Counter.Child _predictedTrue;
    private readonly Counter.Child _predictedFalse;
    private readonly Histogram.Child _probability;
    private readonly Counter _rejected;
    private readonly Counter.Child _invalidScores;
    private readonly Gauge _modelInfo;
    private readonly Gauge.Child _created;
    private readonly Gauge.Child _loaded;
    private readonly Gauge.Child _loadDuration;
    private readonly Counter _reloads;
    private readonly Histogram _featureValue;
    private readonly Counter _featureCategory;
    private readonly Gauge _driftPsi;

    // The series of each feature (and category), looked up once and kept: a batch of 64 instances records
    // 320 feature values, and a label lookup per value would cost more than the prediction.
    private readonly Histogram.Child?[] _featureValueSeries = new Histogram.Child?[FeatureAccessor.All.Count];
    private readonly Counter.Child?[][] _featureCategorySeries = FeatureAccessor.All
        .Select(a => new Counter.Child?[a.Column is CategoricalFeature c ? c.Allowed.Count : 0])
        .ToArray();

    private readonly Gauge _diskFree;
    private readonly IReadOnlyList<string> _diskPaths;
    private string[]? _servedInfo;

    public ServingMetrics(CollectorRegistry registry, IOptions<ServingOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _model = options.Value.Name;
        _registry = registry;
        var metrics = Metrics.WithCustomRegistry(registry);
        // No exemplars (trace ids attached to samples) on the model's series: one per observed value is a
        // measurable share of a request at full load, and traces are found through the HTTP metrics and logs.
        metrics.ExemplarBehavior = ExemplarBehavior.NoExemplars();

        _predictions = metrics.CreateCounter("ml_predictions_total", "Predictions served, by predicted label.", "model", "label");
        _probability = metrics.CreateHistogram(
            "ml_prediction_probability",
            "Churn probabilities returned.",
            ["model"],
            new HistogramConfiguration { Buckets = s_probabilityBuckets }).WithLabels(_model);
        _rejected = metrics.CreateCounter(
            "ml_rejected_inputs_total",
            "Invalid fields of rejected (400) predict requests: a feature name, instances, instance, body or unknown.",
            "model",
            "field");
        _invalidScores = metrics.CreateCounter(
            "ml_invalid_scores_total", "Model outputs that were NaN or infinite (answered with 500).", "model").WithLabels(_model);
        _modelInfo = metrics.CreateGauge("ml_model_info", "1 for the model version being served.", "model", "version", "trainer");
        _created = metrics.CreateGauge(
            "ml_model_created_timestamp_seconds", "When the served model was trained (Unix time).", "model").WithLabels(_model);
        _loaded = metrics.CreateGauge(
            "ml_model_loaded_timestamp_seconds", "When the served model was loaded (Unix time).", "model").WithLabels(_model);
        _loadDuration = metrics.CreateGauge(
            "ml_model_load_duration_seconds", "How long loading and canary-checking the served model took.", "model").WithLabels(_model);
        _reloads = metrics.CreateCounter(
            "ml_model_reloads_total", "Model load attempts (the one at start-up included), by result: success or failure.", "model", "result");
        _featureValue = metrics.CreateHistogram(
            "ml_feature_value",
            "Values of the numeric features in valid predict requests.",
            ["model", "feature"],
            new HistogramConfiguration { Buckets = FeatureValueBuckets() });
        _featureCategory = metrics.CreateCounter(
            "ml_feature_category_total", "Values of the categorical features in valid predict requests.", "model", "feature", "category");
        _driftPsi = metrics.CreateGauge(
            "ml_feature_drift_psi",
            $"Population stability index of each feature's latest inputs against the training data (after {DriftMonitor.MinimumInputs} inputs).",
            "model",
            "feature");
        _diskFree = metrics.CreateGauge("ml_disk_free_bytes", "Free bytes of the volume holding the model, and of the temp folder.", "path");

        // Series that alerts compute rates of exist from the start, at 0.
        _predictedTrue = _predictions.WithLabels(_model, "true");
        _predictedFalse = _predictions.WithLabels(_model, "false");
        _reloads.WithLabels(_model, "success");
        _reloads.WithLabels(_model, "failure");

        var modelFolder = Path.GetDirectoryName(Path.GetFullPath(options.Value.Path, environment.ContentRootPath))!;
        _diskPaths = new[] { modelFolder, Path.TrimEndingDirectorySeparator(Path.GetTempPath()) }.Distinct(StringComparer.Ordinal).ToList();
        registry.AddBeforeCollectCallback(UpdateDiskFree);
    }

    /// <summary>A valid request was scored: its inputs, and its predictions unless an output was not a number.</summary>
    public void RecordPredictions(IReadOnlyList<ChurnFeatures> inputs, IReadOnlyList<ChurnScore> scores)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(scores);
        var features = FeatureAccessor.All;
        foreach (var input in inputs)
        {
            for (var i = 0; i < features.Count; i++)
            {
                var feature = features[i];
                if (feature.Number is { } number)
                {
                    (_featureValueSeries[i] ??= _featureValue.WithLabels(_model, feature.Name)).Observe(number(input));
                }
                else
                {
                    CategorySeries(i, feature, feature.Category!(input)).Inc();
                }
            }
        }

        // A batch with a NaN or infinite output is answered with 500, so none of its predictions was served.
        var invalid = scores.Count(IsInvalid);
        if (invalid > 0)
        {
            _invalidScores.Inc(invalid);
            return;
        }

        foreach (var score in scores)
        {
            (score.PredictedLabel ? _predictedTrue : _predictedFalse).Inc();
            _probability.Observe(score.Probability);
        }
    }

    /// <summary>Runs <paramref name="callback"/> before every scrape of <c>/metrics</c>.</summary>
    public void BeforeScrape(Action callback) => _registry.AddBeforeCollectCallback(callback);

    /// <summary>A predict request was refused with 400; one count per invalid field.</summary>
    public void RecordRejected(IEnumerable<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var field in fields)
        {
            _rejected.WithLabels(_model, field).Inc();
        }
    }

    public void RecordLoadFailure() => _reloads.WithLabels(_model, "failure").Inc();

    /// <summary>A model was loaded and now serves: its info series replaces the previous model's.</summary>
    public void RecordServing(TrainedModel model, DateTimeOffset loadedAt, TimeSpan loadDuration)
    {
        ArgumentNullException.ThrowIfNull(model);
        _reloads.WithLabels(_model, "success").Inc();
        string[] info = [_model, model.Version, model.Manifest?.Trainer ?? "unknown"];
        if (_servedInfo is { } previous && !previous.SequenceEqual(info))
        {
            _modelInfo.RemoveLabelled(previous);
        }

        _modelInfo.WithLabels(info).Set(1);
        _servedInfo = info;
        if (model.Manifest is { } manifest)
        {
            _created.Set(manifest.CreatedAt.ToUnixTimeMilliseconds() / 1000.0);
        }
        else
        {
            _created.Unpublish();
        }

        _loaded.Set(loadedAt.ToUnixTimeMilliseconds() / 1000.0);
        _loadDuration.Set(loadDuration.TotalSeconds);
    }

    public void PublishDrift(string feature, double psi) => _driftPsi.WithLabels(_model, feature).Set(psi);

    /// <summary>Removes every drift series: the next model starts its own window.</summary>
    public void ClearDrift()
    {
        foreach (var labels in _driftPsi.GetAllLabelValues().ToList())
        {
            _driftPsi.RemoveLabelled(labels);
        }
    }

    public static bool IsInvalid(ChurnScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return !float.IsFinite(score.Probability) || !float.IsFinite(score.Score);
    }

    /// <summary>The kept series of a category of the schema; other values (none pass validation) are looked up.</summary>
    private Counter.Child CategorySeries(int feature, FeatureAccessor accessor, string category)
    {
        var allowed = ((CategoricalFeature)accessor.Column).Allowed;
        for (var c = 0; c < allowed.Count; c++)
        {
            if (string.Equals(allowed[c], category, StringComparison.Ordinal))
            {
                return _featureCategorySeries[feature][c] ??= _featureCategory.WithLabels(_model, accessor.Name, category);
            }
        }

        return _featureCategory.WithLabels(_model, accessor.Name, category);
    }

    /// <summary>Ten equal-width buckets over the valid range of each numeric feature, merged into one list.</summary>
    private static double[] FeatureValueBuckets() =>
        FeatureSchema.Columns.OfType<NumericFeature>()
            .SelectMany(f => Enumerable.Range(1, 10).Select(i => Math.Round(f.Min + ((f.Max - f.Min) * i / 10), 6)))
            .Distinct()
            .Order()
            .ToArray();

    private void UpdateDiskFree()
    {
        foreach (var path in _diskPaths)
        {
            if (FreeBytes(path) is { } free)
            {
                _diskFree.WithLabels(path).Set(free);
            }
        }
    }

    /// <summary>Free bytes for an unprivileged user on the volume of <paramref name="path"/> (or its nearest existing parent).</summary>
    private static long? FreeBytes(string path)
    {
        for (var dir = new DirectoryInfo(path); dir is not null; dir = dir.Parent)
        {
            if (dir.Exists)
            {
                try
                {
                    return new DriveInfo(dir.FullName).AvailableFreeSpace;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    return null;
                }
            }
        }

        return null;
    }
}
