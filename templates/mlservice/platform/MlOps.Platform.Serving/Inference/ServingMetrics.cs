using Prometheus;

namespace MlOps.Platform.Serving.Inference;

/// <summary>
/// The models' Prometheus metrics (<c>ml_*</c>), served at <c>/metrics</c> beside the HTTP and process
/// metrics. Every model series carries the model's name as label <c>model</c>; <see cref="For"/> gives
/// one model its series. docs/MONITORING.md lists them with what each one means.
/// </summary>
public sealed class ServingMetrics
{
    private static readonly double[] s_probabilityBuckets = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

    private static readonly double[] s_valueBuckets =
        [-1000, -100, -10, -1, 0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 100_000];

    private readonly CollectorRegistry _registry;
    private readonly Gauge _diskFree;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ModelMetrics> _models = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _diskPaths = [Path.TrimEndingDirectorySeparator(Path.GetTempPath())];

    /// <summary>Creates the model metrics in <paramref name="registry"/>, the registry that <c>/metrics</c> serves.</summary>
    public ServingMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        var metrics = Metrics.WithCustomRegistry(registry);
        // No exemplars (trace ids attached to samples) on the model's series: one per observed value is a
        // measurable share of a request at full load, and traces are found through the HTTP metrics and logs.
        metrics.ExemplarBehavior = ExemplarBehavior.NoExemplars();

        Predictions = metrics.CreateCounter(
            "ml_predictions_total", "Predictions served, by predicted label (the class; 'value' for a regression).", "model", "label");
        Probability = metrics.CreateHistogram(
            "ml_prediction_probability",
            "Probabilities returned by classifiers: of 'true' for a binary model, of the predicted class for a multiclass one.",
            ["model"],
            new HistogramConfiguration { Buckets = s_probabilityBuckets });
        Value = metrics.CreateHistogram(
            "ml_prediction_value", "Values returned by regression models.", ["model"], new HistogramConfiguration { Buckets = s_valueBuckets });
        Rejected = metrics.CreateCounter(
            "ml_rejected_inputs_total",
            "Invalid fields of rejected (400) predict requests: a feature name, instances, instance, body or unknown.",
            "model",
            "field");
        InvalidScores = metrics.CreateCounter(
            "ml_invalid_scores_total", "Model outputs that were NaN or infinite (answered with 500).", "model");
        ModelInfo = metrics.CreateGauge("ml_model_info", "1 for the model version being served.", "model", "version", "trainer");
        Created = metrics.CreateGauge(
            "ml_model_created_timestamp_seconds", "When the served model was trained (Unix time).", "model");
        Loaded = metrics.CreateGauge(
            "ml_model_loaded_timestamp_seconds", "When the served model was loaded (Unix time).", "model");
        LoadDuration = metrics.CreateGauge(
            "ml_model_load_duration_seconds", "How long loading and canary-checking the served model took.", "model");
        Reloads = metrics.CreateCounter(
            "ml_model_reloads_total", "Model load attempts (the one at start-up included), by result: success or failure.", "model", "result");
        FeatureValue = metrics.CreateHistogram(
            "ml_feature_value",
            "Values of the numeric features in valid predict requests.",
            ["model", "feature"],
            new HistogramConfiguration { Buckets = FeatureValueBuckets() });
        FeatureCategory = metrics.CreateCounter(
            "ml_feature_category_total", "Values of the categorical features in valid predict requests.", "model", "feature", "category");
        DriftPsi = metrics.CreateGauge(
            "ml_feature_drift_psi",
            $"Population stability index of each feature's latest inputs against the training data (after {DriftMonitor.MinimumInputs} inputs).",
            "model",
            "feature");
        _diskFree = metrics.CreateGauge("ml_disk_free_bytes", "Free bytes of the volumes holding the models, and of the temp folder.", "path");
        registry.AddBeforeCollectCallback(UpdateDiskFree);
    }

    internal Counter Predictions { get; }

    internal Histogram Probability { get; }

    internal Histogram Value { get; }

    internal Counter Rejected { get; }

    internal Counter InvalidScores { get; }

    internal Gauge ModelInfo { get; }

    internal Gauge Created { get; }

    internal Gauge Loaded { get; }

    internal Gauge LoadDuration { get; }

    internal Counter Reloads { get; }

    internal Histogram FeatureValue { get; }

    internal Counter FeatureCategory { get; }

    internal Gauge DriftPsi { get; }

    /// <summary>The series of one model (created once per model name).</summary>
    public ModelMetrics For(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (_gate)
        {
            if (!_models.TryGetValue(model.Name, out var metrics))
            {
                metrics = new ModelMetrics(this, model);
                _models[model.Name] = metrics;
            }

            return metrics;
        }
    }

    /// <summary>Runs <paramref name="callback"/> before every scrape of <c>/metrics</c>.</summary>
    public void BeforeScrape(Action callback) => _registry.AddBeforeCollectCallback(callback);

    /// <summary>The folders whose free space is published, besides the temp folder.</summary>
    public void WatchDiskOf(IEnumerable<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        _diskPaths = [.. folders.Append(Path.TrimEndingDirectorySeparator(Path.GetTempPath())).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Ten equal-width buckets over the valid range of each numeric feature of every model, merged into one list.</summary>
    private static double[] FeatureValueBuckets() =>
        ModelCatalog.All.SelectMany(m => m.NumericFeatures)
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

/// <summary>The series of one model (label <c>model</c> = its name), looked up once and kept.</summary>
public sealed class ModelMetrics
{
    private readonly ServingMetrics _all;
    private readonly ModelDefinition _model;
    private readonly string _name;
    private readonly Counter.Child _invalidScores;
    private readonly Gauge.Child _created;
    private readonly Gauge.Child _loaded;
    private readonly Gauge.Child _loadDuration;
    private readonly Histogram.Child _distribution;
    private readonly Dictionary<string, Counter.Child> _predictions = new(StringComparer.Ordinal);

    // A batch of 64 instances records 320 feature values; a label lookup per value would cost more than the prediction.
    private readonly Histogram.Child[] _numericSeries;
    private readonly Counter.Child[][] _categorySeries;
    private string[]? _servedInfo;

    internal ModelMetrics(ServingMetrics all, ModelDefinition model)
    {
        _all = all;
        _model = model;
        _name = model.Name;
        _invalidScores = all.InvalidScores.WithLabels(_name);
        _created = all.Created.WithLabels(_name);
        _loaded = all.Loaded.WithLabels(_name);
        _loadDuration = all.LoadDuration.WithLabels(_name);
        _distribution = model.Task == ModelTask.Regression ? all.Value.WithLabels(_name) : all.Probability.WithLabels(_name);
        _numericSeries = [.. model.NumericFeatures.Select(f => all.FeatureValue.WithLabels(_name, f.Name))];
        _categorySeries = [.. model.CategoricalFeatures.Select(f => f.Allowed.Select(c => all.FeatureCategory.WithLabels(_name, f.Name, c)).ToArray())];

        // Series that alerts compute rates of exist from the start, at 0.
        var labels = model.Task.Kind().OutcomeLabels(model);
        foreach (var label in labels)
        {
            _predictions[label] = all.Predictions.WithLabels(_name, label);
        }

        all.Reloads.WithLabels(_name, "success");
        all.Reloads.WithLabels(_name, "failure");
    }

    /// <summary>Runs <paramref name="callback"/> before every scrape of <c>/metrics</c>.</summary>
    public void BeforeScrape(Action callback) => _all.BeforeScrape(callback);

    /// <summary>A valid request was scored: its inputs, and its predictions unless an output was not a number.</summary>
    public void RecordPredictions(IReadOnlyList<FeatureRow> inputs, IReadOnlyList<Outcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var input in inputs)
        {
            for (var i = 0; i < _numericSeries.Length; i++)
            {
                _numericSeries[i].Observe(input.Numbers[i]);
            }

            for (var i = 0; i < _categorySeries.Length; i++)
            {
                CategorySeries(i, input.Categories[i]).Inc();
            }
        }

        // A batch with a NaN or infinite output is answered with 500, so none of its predictions was served.
        var invalid = outcomes.Count(o => !o.IsValid);
        if (invalid > 0)
        {
            _invalidScores.Inc(invalid);
            return;
        }

        foreach (var outcome in outcomes)
        {
            PredictionSeries(outcome.MetricLabel).Inc();
            switch (outcome)
            {
                case BinaryOutcome binary:
                    _distribution.Observe(binary.Probability);
                    break;
                case MulticlassOutcome multiclass:
                    _distribution.Observe(multiclass.Probabilities.DefaultIfEmpty(0).Max());
                    break;
                case RegressionOutcome regression:
                    _distribution.Observe(regression.Value);
                    break;
            }
        }
    }

    /// <summary>A predict request was refused with 400; one count per invalid field.</summary>
    public void RecordRejected(IEnumerable<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var field in fields)
        {
            _all.Rejected.WithLabels(_name, field).Inc();
        }
    }

    /// <summary>A load attempt failed: counts one in <c>ml_model_reloads_total{result="failure"}</c>.</summary>
    public void RecordLoadFailure() => _all.Reloads.WithLabels(_name, "failure").Inc();

    /// <summary>A model was loaded and now serves: its info series replaces the previous model's.</summary>
    public void RecordServing(TrainedModel model, DateTimeOffset loadedAt, TimeSpan loadDuration)
    {
        ArgumentNullException.ThrowIfNull(model);
        _all.Reloads.WithLabels(_name, "success").Inc();
        string[] info = [_name, model.Version, model.Manifest?.Trainer ?? "unknown"];
        if (_servedInfo is { } previous && !previous.SequenceEqual(info))
        {
            _all.ModelInfo.RemoveLabelled(previous);
        }

        _all.ModelInfo.WithLabels(info).Set(1);
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

    /// <summary>Sets the drift of <paramref name="feature"/> (<c>ml_feature_drift_psi</c>) to <paramref name="psi"/>.</summary>
    public void PublishDrift(string feature, double psi) => _all.DriftPsi.WithLabels(_name, feature).Set(psi);

    /// <summary>Removes this model's drift series: its next version starts its own window.</summary>
    public void ClearDrift()
    {
        foreach (var labels in _all.DriftPsi.GetAllLabelValues().Where(l => l[0] == _name).ToList())
        {
            _all.DriftPsi.RemoveLabelled(labels);
        }
    }

    private Counter.Child PredictionSeries(string label) =>
        _predictions.TryGetValue(label, out var series) ? series : _all.Predictions.WithLabels(_name, label);

    /// <summary>The kept series of a category of the model; other values (none pass validation) are looked up.</summary>
    private Counter.Child CategorySeries(int feature, string category)
    {
        var allowed = _model.CategoricalFeatures[feature].Allowed;
        for (var c = 0; c < allowed.Count; c++)
        {
            if (string.Equals(allowed[c], category, StringComparison.Ordinal))
            {
                return _categorySeries[feature][c];
            }
        }

        return _all.FeatureCategory.WithLabels(_name, _model.CategoricalFeatures[feature].Name, category);
    }
}
