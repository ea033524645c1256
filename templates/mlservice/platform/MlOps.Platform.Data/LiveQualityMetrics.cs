using Prometheus;

namespace MlOps.Platform.Data;

/// <summary>
/// The live quality series, published by <see cref="LiveQualityMonitor"/>: <c>ml_live_quality{model,metric}</c>, the
/// quality of a model's latest labelled predictions (its task's primary metric, auc, macro_f1 or r2, and accuracy or
/// rmse), and <c>ml_live_quality_labelled{model}</c>, how many labelled predictions it was computed on.
/// </summary>
public sealed class LiveQualityMetrics
{
    /// <summary>The name of the quality gauge.</summary>
    public const string Quality = "ml_live_quality";

    /// <summary>The name of the count gauge.</summary>
    public const string Labelled = "ml_live_quality_labelled";

    private readonly Gauge _quality;
    private readonly Gauge _labelled;

    /// <summary>Creates the series in the service's registry; a model's appear with its first computation.</summary>
    public LiveQualityMetrics(IMetricFactory metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _quality = metrics.CreateGauge(
            Quality,
            "Quality of the model's latest labelled predictions against the truth reported as feedback, by metric: the task's primary metric "
            + "(auc, macro_f1, r2) and accuracy or rmse; absent below PredictionLog:LiveQualityMinLabelled labelled predictions.",
            ["model", "metric"]);
        _labelled = metrics.CreateGauge(
            Labelled,
            "Labelled predictions (with feedback) the model's live quality was computed on: the newest, at most PredictionLog:LiveQualityWindow.",
            ["model"]);
    }

    /// <summary>
    /// Publishes <paramref name="model"/>'s live quality: <paramref name="labelled"/>, and each metric of its task that
    /// <paramref name="metrics"/> holds; a metric it does not hold (too few labels, undefined on these rows) is removed.
    /// </summary>
    public void Publish(ModelDefinition model, int labelled, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metrics);
        _labelled.WithLabels(model.Name).Set(labelled);
        var kind = model.Task.Kind();
        foreach (var metric in new[] { kind.PrimaryMetric, kind.SecondaryMetric })
        {
            if (metrics.TryGetValue(metric, out var value))
            {
                _quality.WithLabels(model.Name, metric).Set(value);
            }
            else
            {
                _quality.RemoveLabelled(model.Name, metric);
            }
        }
    }
}
