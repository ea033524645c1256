using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving;

/// <summary>
/// Load shedding for the <c>/v1</c> endpoints with ASP.NET Core's rate limiting: at most
/// <see cref="LimitsOptions.MaxConcurrentRequests"/> requests in progress, <see cref="LimitsOptions.QueueLength"/>
/// waiting, and every request beyond that refused at once with a 503 problem document and <c>Retry-After</c>,
/// so latency stays bounded under overload instead of growing with the backlog. Optionally a limit per client
/// address as well (the address behind a trusted proxy, see <see cref="TrustedProxyOptions"/>).
/// Endpoints opt in with <see cref="WithServiceProtections"/>; the probes and <c>/metrics</c> never do.
/// </summary>
public static class OverloadProtection
{
    private const string Open = "open";

    /// <summary>Registers the concurrency limits of <see cref="LimitsOptions"/> (for the whole service and per client) and the 503 refusal with <c>Retry-After</c>.</summary>
    public static IServiceCollection AddOverloadProtection(this IServiceCollection services)
    {
        services.AddMetricsRegistry();
        services.AddSingleton<LoadSheddingMetrics>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<LimitsOptions>, LoadSheddingMetrics>((options, limits, metrics) => Configure(options, limits.Value, metrics));
        return services;
    }

    /// <summary>
    /// Marks endpoints (or a group) as protected: the concurrency limit and the request timeout apply, and the
    /// OpenAPI document lists the 503 (at capacity) and 408 (timed out) problem responses.
    /// </summary>
    public static RouteGroupBuilder WithServiceProtections(this RouteGroupBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.MapPredictMethodProblems("/{name}:predict");
        builder.WithMetadata(new OverloadProtected());
        builder.WithRequestTimeout(RequestTimeoutLimits.Policy);
        builder.ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        builder.ProducesProblem(StatusCodes.Status408RequestTimeout);
        return builder;
    }

    private static void Configure(RateLimiterOptions options, LimitsOptions limits, LoadSheddingMetrics metrics)
    {
        options.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
        // Partitioned by the address itself (IPAddress compares by value): no string per request.
        var perClient = PartitionedRateLimiter.Create<HttpContext, IPAddress>(context =>
            IsProtected(context) && limits.MaxConcurrentRequestsPerClient > 0
                ? RateLimitPartition.GetConcurrencyLimiter(
                    context.Connection.RemoteIpAddress ?? IPAddress.None,
                    _ => new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConcurrentRequestsPerClient, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter(IPAddress.Any));
        var service = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            IsProtected(context)
                ? RateLimitPartition.GetConcurrencyLimiter(
                    "service",
                    _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = limits.MaxConcurrentRequests,
                        QueueLimit = limits.QueueLength,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    })
                : RateLimitPartition.GetNoLimiter(Open));

        // The client's own limit first: a client over it never takes a place in the shared queue.
        options.GlobalLimiter = PartitionedRateLimiter.CreateChained(perClient, service);
        options.OnRejected = async (rejected, cancellationToken) =>
        {
            metrics.RecordShed();
            var context = rejected.HttpContext;
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = limits.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "The service is at capacity.",
                    Detail = $"Too many requests at once: at most {limits.MaxConcurrentRequests} in progress and {limits.QueueLength} waiting"
                        + (limits.MaxConcurrentRequestsPerClient > 0 ? $" ({limits.MaxConcurrentRequestsPerClient} per client)" : string.Empty)
                        + $". Retry after {limits.RetryAfterSeconds} s.",
                },
            });
        };
    }

    /// <summary>Whether the limits apply to the request's endpoint.</summary>
    internal static bool IsProtected(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<OverloadProtected>() is not null;

    /// <summary>Endpoint metadata: the limits apply to this endpoint.</summary>
    private sealed class OverloadProtected;
}
