using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace MlOps.Platform.Serving;

/// <summary>
/// Metrics and traces, the same way in every service of the team: Prometheus metrics at
/// <c>/metrics</c> for the cluster's scraper, always; OpenTelemetry traces and metrics pushed over OTLP
/// only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard OpenTelemetry variables, such as
/// <c>OTEL_SERVICE_NAME</c> and <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, apply).
/// </summary>
public static class Telemetry
{
    /// <summary>The path that serves the Prometheus metrics.</summary>
    public const string MetricsPath = "/metrics";
    /// <summary>The setting that turns on the OTLP export of traces and metrics, and where they go.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// The setting that names the service in traces when <c>OTEL_SERVICE_NAME</c> does not; without it the
    /// application's name is used.
    /// </summary>
    public const string ServiceNameSetting = "ServiceName";

    /// <summary>Registers the Prometheus registry and, when <see cref="OtlpEndpointSetting"/> is set, OpenTelemetry traces and metrics exported over OTLP.</summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMetricsRegistry();
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
        {
            return builder;
        }

        var namedByEnvironment = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]);
        var serviceName = builder.Configuration[ServiceNameSetting] is { Length: > 0 } configured
            ? configured
            : builder.Environment.ApplicationName;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (!namedByEnvironment)
                {
                    resource.AddService(serviceName);
                }
            })
            .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation(aspNetCore =>
                // Probes and scrapes arrive every few seconds and say nothing about the callers.
                aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments("/health")
                    && !context.Request.Path.StartsWithSegments(MetricsPath)))
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>
    /// One Prometheus registry per application (not the library's static one), so that several hosts in
    /// one process, as in the tests, never share or double-register series. Resolve
    /// <see cref="IMetricFactory"/> to add metrics to it.
    /// </summary>
    public static IServiceCollection AddMetricsRegistry(this IServiceCollection services)
    {
        services.TryAddSingleton(_ =>
        {
            var registry = Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            // The standard name that memory alerts use; the library's own set names it process_working_set_bytes.
            var resident = Metrics.WithCustomRegistry(registry)
                .CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
            registry.AddBeforeCollectCallback(() => resident.Set(Environment.WorkingSet));
            return registry;
        });
        services.TryAddSingleton<IMetricFactory>(provider => Metrics.WithCustomRegistry(provider.GetRequiredService<CollectorRegistry>()));
        return services;
    }

    /// <summary>
    /// Counts and times every request (http_request_duration_seconds and friends). Samples carry exemplars
    /// (the trace id of a request in that bucket) only when traces are exported: recording one per request
    /// costs about a tenth of a prediction request's CPU, for ids that would lead nowhere.
    /// </summary>
    public static IApplicationBuilder UseRequestMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var factory = app.Services.GetRequiredService<IMetricFactory>();
        var tracesExported = !string.IsNullOrWhiteSpace(app.Configuration[OtlpEndpointSetting]);
        return app.UseHttpMetrics(options =>
        {
            options.SetMetricFactory(factory);
            if (!tracesExported)
            {
                options.ConfigureMeasurements(measurement => measurement.ExemplarPredicate = _ => false);
            }
        });
    }

    /// <summary>GET /metrics in the Prometheus text format; open like the probes, not part of the API document.</summary>
    public static IEndpointConventionBuilder MapMetricsEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapMetrics(MetricsPath, app.Services.GetRequiredService<CollectorRegistry>()).ExcludeFromDescription();
    }
}
