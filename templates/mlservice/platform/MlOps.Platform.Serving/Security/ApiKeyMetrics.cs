using Prometheus;

namespace MlOps.Platform.Serving.Security;

/// <summary>
/// Prometheus counter of the requests refused for want of a valid API key, by reason, on the
/// application's own registry (the one /metrics serves).
/// </summary>
public sealed class ApiKeyMetrics
{
    /// <summary>The <c>reason</c> label of a request without a key.</summary>
    public const string Missing = "missing";
    /// <summary>The <c>reason</c> label of a request whose key matches no configured key.</summary>
    public const string Invalid = "invalid";

    private readonly Counter _failures;
    private readonly Counter _throttled;

    /// <summary>Creates the counters, with both <c>reason</c> series at 0.</summary>
    public ApiKeyMetrics(IMetricFactory metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _failures = metrics.CreateCounter(
            "ml_auth_failures_total",
            "Requests refused with 401 because the X-Api-Key header was missing or matched no configured key.",
            new CounterConfiguration { LabelNames = ["reason"] });

        _throttled = metrics.CreateCounter(
            "ml_auth_throttled_total",
            "Requests refused with 429 because their client had sent too many requests without a valid X-Api-Key (Auth:MaxFailedAttemptsPerClient).");

        // Both series exist at 0 from the start, so a rate over them works from the first scrape.
        _failures.WithLabels(Missing);
        _failures.WithLabels(Invalid);
    }

    /// <summary>Counts one request refused with 401: <paramref name="missing"/> when it had no key, otherwise an invalid one.</summary>
    public void CountFailure(bool missing) => _failures.WithLabels(missing ? Missing : Invalid).Inc();

    /// <summary>Counts one request refused with 429.</summary>
    public void CountThrottled() => _throttled.Inc();
}
