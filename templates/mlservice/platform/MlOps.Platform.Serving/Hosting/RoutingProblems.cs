using Microsoft.AspNetCore.Http.HttpResults;

namespace MlOps.Platform.Serving.Hosting;

/// <summary>
/// Problem documents that say what is wrong when no endpoint answers: the method that is not allowed and
/// the ones that are (405), the path that serves nothing (404).
/// </summary>
public static class RoutingProblems
{
    /// <summary>Fills in the detail of problem documents that have none: 404, 405 (with the allowed methods) and 415.</summary>
    public static IServiceCollection AddRoutingProblemDetails(this IServiceCollection services) =>
        services.Configure<ProblemDetailsOptions>(options => options.CustomizeProblemDetails += context =>
        {
            var http = context.HttpContext;
            if (context.ProblemDetails.Detail is not null)
            {
                return;
            }

            var path = Cut(http.Request.Path.ToString());
            context.ProblemDetails.Detail = context.ProblemDetails.Status switch
            {
                StatusCodes.Status405MethodNotAllowed when http.Request.Method == StandardMethods.Other =>
                    $"The request method is not a standard HTTP method; allowed on {path}: {http.Response.Headers.Allow}.",
                StatusCodes.Status405MethodNotAllowed =>
                    $"Method {http.Request.Method} is not allowed on {path}; allowed: {http.Response.Headers.Allow}.",
                StatusCodes.Status404NotFound => $"Nothing is served at {path}.",
                StatusCodes.Status415UnsupportedMediaType =>
                    $"Send the request body as application/json; got {(string.IsNullOrEmpty(http.Request.ContentType) ? "no Content-Type" : http.Request.ContentType)}.",
                _ => null,
            };
        });

    /// <summary>Longest part of a client's path repeated in a problem document or a log line.</summary>
    public const int MaxEchoedLength = 100;

    /// <summary>A client's value cut to <see cref="MaxEchoedLength"/> characters, so an answer never grows with a hostile request.</summary>
    public static string Cut(string value) =>
        value is { Length: > MaxEchoedLength } ? string.Concat(value.AsSpan(0, MaxEchoedLength), "...") : value;

    /// <summary>
    /// <c>GET /v1/models/fraud:predict</c> would otherwise reach the metadata route and be told that no model is
    /// named <c>fraud:predict</c>; any method but POST on the predict route is answered with 405 instead.
    /// </summary>
    public static RouteGroupBuilder MapPredictMethodProblems(this RouteGroupBuilder group, string predictPattern)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapMethods(predictPattern, [HttpMethods.Get, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch], NotAllowed(HttpMethods.Post))
            .ExcludeFromDescription();
        return group;
    }

    private static Func<HttpContext, ProblemHttpResult> NotAllowed(string allowed) => context =>
    {
        context.Response.Headers.Allow = allowed;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status405MethodNotAllowed,
            detail: $"Method {context.Request.Method} is not allowed on {Cut(context.Request.Path.ToString())}; allowed: {allowed}.");
    };
}
