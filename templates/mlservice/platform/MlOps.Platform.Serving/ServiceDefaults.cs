using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Serilog;
using Serilog.Context;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace MlOps.Platform.Serving;

/// <summary>
/// What every service of the team gets the same way: logging, metrics and traces, problem details,
/// OpenAPI and the Kubernetes probes. Probes are mapped in every environment; the platform depends on them.
/// </summary>
public static class ServiceDefaults
{
    /// <summary>The liveness probe: 200 while the process runs.</summary>
    public const string LivePath = "/health/live";
    /// <summary>The readiness probe: 200 only when every readiness check passes.</summary>
    public const string ReadyPath = "/health/ready";
    /// <summary>The header of a request's correlation id: the caller's when it is short and plain, otherwise the trace id; returned on every response and added to its log lines.</summary>
    public const string CorrelationHeader = "X-Correlation-ID";

    /// <summary>Requests slower than this many milliseconds are logged as warnings, whatever their status.</summary>
    public const string SlowRequestSetting = "RequestLogging:SlowRequestMilliseconds";
    /// <summary>The slow-request threshold when <see cref="SlowRequestSetting"/> is not set.</summary>
    public const double DefaultSlowRequestMilliseconds = 500;

    private const string LiveTag = "live";
    private const string ReadyTag = "ready";

    /// <summary>Registers logging (Serilog), telemetry, problem details, the OpenAPI document, the prediction contract and the liveness check, and checks the case of the environment name at start.</summary>
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

        builder.Services.AddOptions<EnvironmentCheck>()
            .Validate(_ => HasStandardCase(builder.Environment.EnvironmentName), EnvironmentCaseMessage(builder.Environment.EnvironmentName))
            .ValidateOnStart();
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

    /// <summary>Adds the standard middleware: method names, request metrics, exception handling, status code pages, correlation ids and request logging; in Development also the OpenAPI document and the API reference page.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseStandardMethodNames();
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
            // The path is the client's: cut, so a refused request with a long path still costs one short line.
            options.GetMessageTemplateProperties = (context, path, elapsedMilliseconds, status) =>
            [
                new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
                new LogEventProperty("RequestPath", new ScalarValue(RoutingProblems.Cut(path))),
                new LogEventProperty("StatusCode", new ScalarValue(status)),
                new LogEventProperty("Elapsed", new ScalarValue(elapsedMilliseconds)),
            ];
        });

        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi();
            app.MapScalarApiReference();
        }

        return app;
    }

    /// <summary>Maps <see cref="LivePath"/> and <see cref="ReadyPath"/>, each answering a JSON report of its checks.</summary>
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
    /// they fail. A 429 (a client throttled after failed API keys) is counted and its episode logged once, not each
    /// request. Bodies are never logged. To log every request, set the level of
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
            : status == StatusCodes.Status429TooManyRequests ? LogEventLevel.Debug
            : status == StatusCodes.Status503ServiceUnavailable ? LogEventLevel.Warning
            : status >= 500 ? LogEventLevel.Error
            : elapsedMilliseconds >= slowRequestMilliseconds ? LogEventLevel.Warning
            : status >= 400 ? LogEventLevel.Information
            : LogEventLevel.Debug;
    }

    /// <summary>
    /// Runs the service until it stops; a configuration that fails validation at start ends it with one clear line
    /// on standard error and exit code 2 (instead of an unhandled exception and an abort signal).
    /// </summary>
    public static int RunService(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            app.Run();
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            // The host, and with it the log pipeline, is already disposed: standard error is what is left.
            Console.Error.WriteLine($"The service did not start: its configuration is not valid. {string.Join(" ", ex.Failures)}");
            return 2;
        }
    }

    /// <summary>
    /// ASP.NET Core compares environment names ignoring case (<c>IsDevelopment()</c>), but a Linux file system finds
    /// <c>appsettings.Development.json</c> only in its exact case: <c>development</c> would be Development for some
    /// choices (API keys, the API reference page) and not for others. A standard name is accepted in its case only.
    /// </summary>
    private static bool HasStandardCase(string environment) =>
        !new[] { Environments.Development, Environments.Staging, Environments.Production }
            .Any(name => string.Equals(name, environment, StringComparison.OrdinalIgnoreCase) && !string.Equals(name, environment, StringComparison.Ordinal));

    private static string EnvironmentCaseMessage(string environment) =>
        $"ASPNETCORE_ENVIRONMENT is '{RoutingProblems.Cut(environment)}': write a standard environment name in its own case " +
        $"({Environments.Development}, {Environments.Staging} or {Environments.Production}), so that every setting agrees on it.";

    /// <summary>Options type that carries the environment-name check to start-up, where <see cref="RunService"/> reports it.</summary>
    private sealed class EnvironmentCheck;

    private static void ConfigureLogger(LoggerConfiguration logger, bool development)
    {
        // RunService reports a configuration that fails validation in one line; the host's own report of it is a stack trace.
        logger.Enrich.FromLogContext().Filter.ByExcluding(e => e.Exception is OptionsValidationException);
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
