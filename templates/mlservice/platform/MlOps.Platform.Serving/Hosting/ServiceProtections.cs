using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Serilog;

namespace MlOps.Platform.Serving;

/// <summary>
/// What keeps the service up under hostile or heavy traffic: load shedding (<see cref="OverloadProtection"/>),
/// request timeouts (<see cref="RequestTimeoutLimits"/>), forwarded headers from trusted proxies only
/// (<see cref="TrustedProxyOptions"/>), connection limits (<see cref="ConnectionLimits"/>) and a graceful shutdown
/// (<see cref="ShutdownDrain"/>).
/// Settings: sections <c>Limits</c> and <c>ForwardedHeaders</c>, validated at start.
/// </summary>
public static class ServiceProtections
{
    private const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>Registers every service protection and binds and validates the <c>Limits</c> and <c>ForwardedHeaders</c> sections.</summary>
    public static WebApplicationBuilder AddServiceProtections(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<LimitsOptions>()
            .Bind(builder.Configuration.GetSection(LimitsOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<TrustedProxyOptions>()
            .Bind(builder.Configuration.GetSection(TrustedProxyOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>();
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>, ConfigureForwardedHeaders>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, ConnectionLimits>();

        services.AddRoutingProblemDetails();
        services.AddOverloadProtection();
        services.AddRequestTimeoutLimits();

        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<ShutdownDrain>());
        services.AddHealthChecks().AddReadinessCheck<ShutdownDrain>("shutdown");
        return builder;
    }

    /// <summary>
    /// X-Forwarded-For and X-Forwarded-Proto from trusted proxies only. First in the pipeline, so that logs,
    /// metrics and limits see the real client.
    /// </summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        return app;
    }

    /// <summary>
    /// After the request logging: the client address joins each request's log line. Then the request timeout starts,
    /// so that reading the body and waiting in the queue count toward it; the body is read before the request waits
    /// for a slot (<see cref="BodiesBeforeSlots"/>); last the concurrency limits.
    /// </summary>
    public static WebApplication UseServiceProtections(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var diagnostics = app.Services.GetRequiredService<IDiagnosticContext>();
        app.Use((context, next) =>
        {
            diagnostics.Set("ClientAddress", context.Connection.RemoteIpAddress?.ToString());
            return next(context);
        });
        app.UseRequestTimeouts();
        // Read on the first request: reading the options validates them, and a start-up failure belongs to RunService.
        var maxBodyBytes = new Lazy<long>(() => app.Services.GetService<IOptions<ServingOptions>>()?.Value.MaxRequestBodyBytes ?? DefaultMaxBodyBytes);
        app.UseBodiesBeforeSlots(maxBodyBytes);
        app.UseRateLimiter();
        return app;
    }
}
