using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scalar.AspNetCore;
using Serilog;
using Serilog.Context;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Ml_Service.Api;

/// <summary>
/// What every service of the team gets the same way: logging, metrics and traces, problem details,
/// OpenAPI and the Kubernetes probes. Probes are mapped in every environment; the platform depends on them.
/// </summary>
public static class ServiceDefaults
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string CorrelationHeader = "X-Correlation-ID";

    /// <summary>Requests slower than this many milliseconds are logged as warnings, whatever their status.</summary>
    public const string SlowRequestSetting = "RequestLogging:SlowRequestMilliseconds";
    public const double DefaultSlowRequestMilliseconds = 500;

    private const string LiveTag = "live";
    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var development = builder.Environment.IsDevelopment();
        // This host logs, binds request properties and disposes on its own logger only. By default Serilog routes
        // through the static Log.Logger, which any other host in the process (tests) replaces, and silences when it
        // stops: request properties such as the client address would then be dropped.
        builder.Services.AddSerilog(
            (services, logger) => ConfigureLogger(logger.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(services), development),
            preserveStaticLogger: true);

        builder.AddTelemetry();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            // The committed docs/openapi.json must not depend on the host that served it.
            document.Servers?.Clear();
            return Task.CompletedTask;
        }));
        builder.Services.AddPredictionContract();
        builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("The process is running."), [LiveTag]);
        return builder;
    }

    /// <summary>Registers a readiness check: <c>/health/ready</c> is 200 only when all of them pass.</summary>
    public static IHealthChecksBuilder AddReadinessCheck<T>(this IHealthChecksBuilder builder, string name)
        where T : class, IHealthCheck =>
        builder.AddCheck<T>(name, tags: [ReadyTag]);

    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRequestMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(async (context, next) =>
        {
            var correlationId = CorrelationIdOf(context);
            context.Response.Headers[CorrelationHeader] = correlationId;
            using (LogContext.PushProperty("CorrelationId", correlationId))
            {
                await next(context);
            }
        });
        var slowRequestMilliseconds = app.Configuration.GetValue(SlowRequestSetting, DefaultSlowRequestMilliseconds);
        app.UseSerilogRequestLogging(options =>
        {
            // This host's logger, not the static Log.Logger: several hosts in one process (tests) each log their own.
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.GetLevel = (context, elapsedMilliseconds, exception) =>
                RequestLogLevel(context, elapsedMilliseconds, exception, slowRequestMilliseconds);
        });

        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi();
            app.MapScalarApiReference();
        }

        return app;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = WriteHealthReport,
        }).ExcludeFromDescription();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteHealthReport,
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The level of a request's summary line. Successful requests are logged at Debug, so Production (Information)
    /// writes no line for them: at full load one line per request costs more than the prediction itself
    /// (docs/MONITORING.md). Slow requests are warnings, refused ones information, failures errors; probes only when
    /// they fail. Bodies are never logged. To log every request, set the level of
    /// <c>Serilog.AspNetCore.RequestLoggingMiddleware</c> to Debug under <c>Serilog:MinimumLevel:Override</c>.
    /// </summary>
    public static LogEventLevel RequestLogLevel(HttpContext context, double elapsedMilliseconds, Exception? exception, double slowRequestMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(context);
        var status = context.Response.StatusCode;
        // Probes are never logged unless they throw: an unready service would otherwise log each probe, and
        // what makes a probe fail is logged once by what changed the state (model loader, shutdown). A 503 is
        // a refusal the service chose (no model yet, at capacity), not a fault: a warning, not an error.
        return exception is not null ? LogEventLevel.Error
            : context.Request.Path.StartsWithSegments("/health") ? LogEventLevel.Verbose
            : status == StatusCodes.Status503ServiceUnavailable ? LogEventLevel.Warning
            : status >= 500 ? LogEventLevel.Error
            : elapsedMilliseconds >= slowRequestMilliseconds ? LogEventLevel.Warning
            : status >= 400 ? LogEventLevel.Information
            : LogEventLevel.Debug;
    }

    private static void ConfigureLogger(LoggerConfiguration logger, bool development)
    {
        logger.Enrich.FromLogContext();
        if (development)
        {
            logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        }
        else
        {
            // One JSON object per line on stdout, with @tr/@sp trace ids, for the cluster's log collector.
            logger.WriteTo.Console(new RenderedCompactJsonFormatter());
        }
    }

    /// <summary>A caller's correlation id is kept when it is short and plain; otherwise the trace id is used.</summary>
    private static string CorrelationIdOf(HttpContext context)
    {
        var supplied = context.Request.Headers[CorrelationHeader].ToString();
        return supplied.Length is > 0 and <= 64 && supplied.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? supplied
            : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
    }

    private static Task WriteHealthReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        });
    }
}
