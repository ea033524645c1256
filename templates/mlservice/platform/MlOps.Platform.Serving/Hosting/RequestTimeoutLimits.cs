using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving;

/// <summary>
/// Ends a <c>/v1</c> request that takes longer than <see cref="LimitsOptions.RequestTimeoutSeconds"/> (a client
/// that stalls while sending its body, for instance) with a 408 problem document, so it cannot hold a slot of
/// the concurrency limit for ever. Built on ASP.NET Core's request timeouts; not applied under a debugger.
/// </summary>
public static class RequestTimeoutLimits
{
    /// <summary>The name of the request timeout policy that protected endpoints use.</summary>
    public const string Policy = "limits";

    /// <summary>Registers the request timeouts and the <see cref="Policy"/> policy: <see cref="LimitsOptions.RequestTimeoutSeconds"/>, then a 408 problem document.</summary>
    public static IServiceCollection AddRequestTimeoutLimits(this IServiceCollection services)
    {
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<LimitsOptions>>((options, limits) =>
        {
            var seconds = limits.Value.RequestTimeoutSeconds;
            options.AddPolicy(Policy, new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(seconds),
                TimeoutStatusCode = StatusCodes.Status408RequestTimeout,
                WriteTimeoutResponse = context => context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(
                    new ProblemDetailsContext
                    {
                        HttpContext = context,
                        ProblemDetails =
                        {
                            Status = StatusCodes.Status408RequestTimeout,
                            Title = "The request took too long.",
                            Detail = $"The request did not complete within the timeout of {seconds} s (Limits:RequestTimeoutSeconds) and was ended.",
                        },
                    }).AsTask(),
            });
        });
        return services;
    }
}
