using Prometheus;

namespace MlOps.Platform.Data;

/// <summary>
/// The prediction log's series: <c>ml_prediction_log_written_total</c> and
/// <c>ml_prediction_log_dropped_total{reason}</c>. Every prediction the log took or refused ends in one of
/// them (sampling aside), so written + dropped is what the service answered.
/// </summary>
public sealed class PredictionLogMetrics
{
    /// <summary>Reason: the queue had no room (the database is slow or down, or traffic outruns it).</summary>
    public const string QueueFull = "queue_full";

    /// <summary>Reason: the batch could not be written (the database refused it or could not be reached).</summary>
    public const string WriteFailed = "write_failed";

    /// <summary>Reason: the service was stopping and the database could not take the rest in time.</summary>
    public const string Shutdown = "shutdown";

    private readonly Counter _written;
    private readonly Counter _dropped;

    /// <summary>Creates the series in the service's registry, each reason at 0 so alerts have a rate from the start.</summary>
    public PredictionLogMetrics(IMetricFactory metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _written = metrics.CreateCounter(
            "ml_prediction_log_written_total",
            "Predictions written to the prediction log's database.");
        _dropped = metrics.CreateCounter(
            "ml_prediction_log_dropped_total",
            "Predictions the prediction log could not keep, by reason (queue_full, write_failed, shutdown); the answers to the clients were not affected.",
            ["reason"]);
        foreach (var reason in new[] { QueueFull, WriteFailed, Shutdown })
        {
            _dropped.WithLabels(reason);
        }
    }

    /// <summary>Counts <paramref name="rows"/> predictions written.</summary>
    public void RecordWritten(int rows) => _written.Inc(rows);

    /// <summary>Counts <paramref name="rows"/> predictions dropped for <paramref name="reason"/>.</summary>
    public void RecordDropped(string reason, int rows) => _dropped.WithLabels(reason).Inc(rows);
}
