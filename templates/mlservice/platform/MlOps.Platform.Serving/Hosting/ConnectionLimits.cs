using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Hosting;

/// <summary>
/// Kestrel's connection limits from <see cref="LimitsOptions"/>: a cap on open connections, how long an idle one is
/// kept, and the slowest body accepted. Together they bound what idle or slow clients can hold.
/// </summary>
public sealed class ConnectionLimits(IOptions<LimitsOptions> limits) : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>How long a body may arrive slower than the minimum rate before the client is disconnected.</summary>
    public static readonly TimeSpan BodyGracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>Sets Kestrel's connection cap, keep-alive timeout and minimum body data rate from <see cref="LimitsOptions"/>.</summary>
    public void Configure(KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var values = limits.Value;
        options.Limits.MaxConcurrentConnections = values.MaxConnections;
        options.Limits.MaxConcurrentUpgradedConnections = values.MaxConnections;
        options.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(values.KeepAliveTimeoutSeconds);
        options.Limits.MinRequestBodyDataRate = new MinDataRate(values.MinRequestBodyBytesPerSecond, BodyGracePeriod);
    }
}
