using Prometheus;

namespace Ml_Service.Api.Security;

/// <summary>Prometheus counter of the requests refused for want of a valid API key, by reason.</summary>
public static class ApiKeyMetrics
{
    public const string Missing = "missing";
    public const string Invalid = "invalid";

    public static readonly Counter Failures = Metrics.CreateCounter(
        "ml_auth_failures_total",
        "Requests refused with 401 because the X-Api-Key header was missing or matched no configured key.",
        new CounterConfiguration { LabelNames = ["reason"] });

    /// <summary>Publishes both series at 0, so a rate over them works from the first scrape.</summary>
    public static void Publish()
    {
        Failures.WithLabels(Missing);
        Failures.WithLabels(Invalid);
    }
}
