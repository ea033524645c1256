using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Hosting;

/// <summary>
/// Configuration section <c>ForwardedHeaders</c>: the proxies (an ingress controller, a load balancer) whose
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> headers are believed. Headers from anyone else are
/// ignored, so a caller cannot choose the client address that is logged and limited. Loopback is always
/// trusted, as ASP.NET Core does by default.
/// </summary>
public sealed class TrustedProxyOptions
{
    /// <summary>The name of the configuration section.</summary>
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of single proxies, e.g. <c>10.0.0.12</c> (environment <c>ForwardedHeaders__KnownProxies__0</c>).</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks of proxies in CIDR notation, e.g. the ingress pods' <c>10.244.0.0/16</c>.</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>How many proxies in front of the service are unwrapped from <c>X-Forwarded-For</c>.</summary>
    public int ForwardLimit { get; set; } = 1;
}

/// <summary>Refuses, at start, proxy addresses and networks that do not parse.</summary>
public sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    /// <summary>Fails when a proxy is not an IP address, a network is not in CIDR notation, or the forward limit is not between 1 and 10.</summary>
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                failures.Add($"ForwardedHeaders:KnownProxies:{i} ('{options.KnownProxies[i]}') is not an IP address.");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                failures.Add($"ForwardedHeaders:KnownNetworks:{i} ('{options.KnownNetworks[i]}') is not a network in CIDR notation such as 10.244.0.0/16.");
            }
        }

        if (options.ForwardLimit is < 1 or > 10)
        {
            failures.Add("ForwardedHeaders:ForwardLimit must be between 1 and 10.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}

/// <summary>Turns <see cref="TrustedProxyOptions"/> into ASP.NET Core's forwarded-headers settings.</summary>
public sealed class ConfigureForwardedHeaders(IOptions<TrustedProxyOptions> trusted) : IConfigureOptions<ForwardedHeadersOptions>
{
    /// <summary>Accepts <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from the configured proxies and networks only, up to the forward limit.</summary>
    public void Configure(ForwardedHeadersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = trusted.Value;
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.ForwardLimit = settings.ForwardLimit;
        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }
}
