using System.ComponentModel.DataAnnotations;

namespace Ml_Service.Api.Hosting;

/// <summary>
/// Configuration section <c>Limits</c>: how much work the service takes on at once, how long a request may
/// take, and how long it keeps serving after it was told to stop. Every value can be set by environment,
/// e.g. <c>Limits__MaxConcurrentRequests</c>. None of them applies to the probes or to <c>/metrics</c>.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Requests to <c>/v1</c> served at the same time; more wait in the queue.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Requests that may wait for a free slot; beyond that they are refused at once with 503 and <c>Retry-After</c>.</summary>
    [Range(0, 100_000)]
    public int QueueLength { get; set; } = 128;

    /// <summary>Requests one client address may have in progress at the same time (0 = no limit per client).</summary>
    [Range(0, 100_000)]
    public int MaxConcurrentRequestsPerClient { get; set; }

    /// <summary>Seconds a refused caller is told to wait (the <c>Retry-After</c> header).</summary>
    [Range(1, 3_600)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Seconds a <c>/v1</c> request may take, body upload included, before it is ended with 408.</summary>
    [Range(1, 3_600)]
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Seconds the service keeps serving after SIGTERM with readiness already 503, so that load balancers
    /// stop sending before the listener closes. In-flight requests then get the host's shutdown timeout to finish.
    /// </summary>
    [Range(0, 300)]
    public int ShutdownDrainSeconds { get; set; } = 2;
}
