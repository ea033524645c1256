using System.ComponentModel.DataAnnotations;

namespace MlOps.Platform.Serving.Hosting;

/// <summary>
/// Configuration section <c>Limits</c>: how much work the service takes on at once, how long a request may
/// take, and how long it keeps serving after it was told to stop. Every value can be set by environment,
/// e.g. <c>Limits__MaxConcurrentRequests</c>. None of them applies to the probes or to <c>/metrics</c>.
/// </summary>
public sealed class LimitsOptions
{
    /// <summary>The name of the configuration section.</summary>
    public const string Section = "Limits";

    /// <summary>Requests to <c>/v1</c> served at the same time; more wait in the queue.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Requests that may wait for a free slot; beyond that they are refused at once with 503 and <c>Retry-After</c>.</summary>
    [Range(0, 100_000)]
    public int QueueLength { get; set; } = 128;

    /// <summary>
    /// Requests one client address may have in progress at the same time (0 = no limit per client), so that one
    /// client cannot take every slot. The address is the connection's, or the one a trusted proxy forwards
    /// (<see cref="TrustedProxyOptions"/>): behind an ingress, list it there, or all its clients share one limit.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxConcurrentRequestsPerClient { get; set; } = 16;

    /// <summary>Seconds a refused caller is told to wait (the <c>Retry-After</c> header).</summary>
    [Range(1, 3_600)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Seconds a <c>/v1</c> request may take, body upload and time in the queue included, before it is ended with 408.</summary>
    [Range(1, 3_600)]
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Seconds the service keeps serving after SIGTERM with readiness already 503, so that load balancers
    /// stop sending before the listener closes. In-flight requests then get the host's shutdown timeout to finish.
    /// </summary>
    [Range(0, 300)]
    public int ShutdownDrainSeconds { get; set; } = 2;

    /// <summary>Open connections the server accepts at once (probes included); more are refused until one closes.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 1_024;

    /// <summary>
    /// Seconds an idle keep-alive connection is held open. A little longer than the 60 s idle timeout of common load
    /// balancers, so that they, not the service, close idle connections (a balancer reusing a connection the service
    /// just closed answers 502).
    /// </summary>
    [Range(1, 3_600)]
    public int KeepAliveTimeoutSeconds { get; set; } = 65;

    /// <summary>
    /// Slowest a request body may arrive, in bytes per second, after a grace period of 5 s; a slower client is
    /// disconnected. Bodies are read before a request waits for a slot, so slow senders hold a connection, never a slot.
    /// </summary>
    [Range(1, 1_000_000_000)]
    public int MinRequestBodyBytesPerSecond { get; set; } = 1_024;
}
