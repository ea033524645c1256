using Prometheus;

namespace MlOps.Platform.Serving.Hosting;

/// <summary><c>ml_requests_shed_total</c>: requests refused with 503 because the service was at capacity.</summary>
public sealed class LoadSheddingMetrics(IMetricFactory metrics)
{
    private readonly Counter _shed = metrics.CreateCounter(
        "ml_requests_shed_total",
        "Requests to /v1 refused with 503 and Retry-After because the service was at capacity (limits in the Limits section).");

    /// <summary>Counts one request refused at capacity.</summary>
    public void RecordShed() => _shed.Inc();
}
