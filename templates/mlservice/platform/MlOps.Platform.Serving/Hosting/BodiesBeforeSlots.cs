using Microsoft.AspNetCore.Http.HttpResults;

namespace MlOps.Platform.Serving.Hosting;

/// <summary>
/// Reads the whole body of a protected request before the request waits for a concurrency slot, so a client that
/// sends its body slowly holds a connection, never a slot that a prediction needs. The body stays in the request's
/// pipe, where the endpoint then reads it without waiting. Also turns a request that timed out while it waited
/// for a slot into the 408 of the request timeout (the rate limiter ends such a request without an answer).
/// </summary>
public static class BodiesBeforeSlots
{
    /// <param name="app">The pipeline, after the request timeouts and before the rate limiter.</param>
    /// <param name="maxBytes">Stop reading past this many bytes: the endpoint refuses such a body with 413.</param>
    public static IApplicationBuilder UseBodiesBeforeSlots(this IApplicationBuilder app, Lazy<long> maxBytes) =>
        app.Use(async (context, next) =>
        {
            if (OverloadProtection.IsProtected(context) && HttpMethods.IsPost(context.Request.Method)
                && await BufferAsync(context, maxBytes.Value) is { } refused)
            {
                await refused.ExecuteAsync(context);
                return;
            }

            await next(context);
            if (!context.Response.HasStarted && context.RequestAborted.IsCancellationRequested)
            {
                throw new OperationCanceledException(context.RequestAborted);
            }
        });

    /// <returns>Null when the body is buffered (or larger than the limit); otherwise the 4xx answer for the client.</returns>
    private static async Task<ProblemHttpResult?> BufferAsync(HttpContext context, long maxBytes)
    {
        var reader = context.Request.BodyReader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(context.RequestAborted);
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                if (read.IsCompleted || read.Buffer.Length > maxBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            // A body shorter than its Content-Length, or one arriving too slowly: the client's fault, answered 4xx
            // with a short reason, never a server error.
            return Unreadable(ex.StatusCode is >= 400 and < 500 ? ex.StatusCode : StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (IOException ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports broken chunked framing (a chunk size that overflows) as an IOException.
            return Unreadable(StatusCodes.Status400BadRequest, ex.Message);
        }
    }

    private static ProblemHttpResult Unreadable(int status, string reason) =>
        TypedResults.Problem(statusCode: status, detail: $"The request body could not be read: {RoutingProblems.Cut(reason)}");
}
