namespace MlOps.Platform.Serving.Hosting;

/// <summary>
/// A client may send any token as the HTTP method. Metrics label requests by method and logs name it, so a request
/// whose method is not one of HTTP's standard nine is renamed <see cref="Other"/> (the name OpenTelemetry's
/// conventions use) before anything records it. Endpoints were already matched, so it is still answered 405.
/// </summary>
public static class StandardMethods
{
    /// <summary>The method name that replaces a non-standard one.</summary>
    public const string Other = "_OTHER";

    private static readonly HashSet<string> s_standard = new(StringComparer.Ordinal)
    {
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete,
        HttpMethods.Patch, HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect,
    };

    /// <summary>First in the pipeline: every later middleware, metric and log line sees a bounded set of methods.</summary>
    public static IApplicationBuilder UseStandardMethodNames(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (!s_standard.Contains(context.Request.Method))
            {
                context.Request.Method = Other;
            }

            return next(context);
        });
}
