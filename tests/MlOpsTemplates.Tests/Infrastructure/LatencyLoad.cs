using System.Diagnostics;
using System.Net;
using System.Text;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>One request of a load run: when it ended, how long it took, its status (0 = no answer) and Retry-After.</summary>
public sealed record TimedResponse(TimeSpan EndedAt, TimeSpan Latency, int Status, string? MediaType, string? RetryAfter, string? Error);

/// <summary>
/// A closed-loop load from this process: <c>concurrency</c> workers, each posting the same body again as soon as
/// its previous request was answered, for a fixed time. Every request is timed on its own, so accepted and
/// refused requests can be told apart (wrk only reports them mixed).
/// </summary>
public static class LatencyLoad
{
    public static async Task<IReadOnlyList<TimedResponse>> RunAsync(
        Uri address, string path, string body, int concurrency, TimeSpan duration, string? apiKey, CancellationToken stop = default)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add(ServiceAuth.Header, apiKey);
        }

        var clock = Stopwatch.StartNew();
        var bytes = Encoding.UTF8.GetBytes(body);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var results = new List<TimedResponse>();
            while (clock.Elapsed < duration && !stop.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                try
                {
                    using var content = new ByteArrayContent(bytes);
                    content.Headers.ContentType = new("application/json");
                    using var response = await client.PostAsync(path, content);
                    await response.Content.ReadAsByteArrayAsync();
                    results.Add(new TimedResponse(
                        clock.Elapsed, clock.Elapsed - started, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                        response.Headers.RetryAfter?.ToString(), null));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    results.Add(new TimedResponse(clock.Elapsed, clock.Elapsed - started, 0, null, null, e.Message));
                    await Task.Delay(20);
                }
            }

            return results;
        }));
        return (await Task.WhenAll(workers)).SelectMany(r => r).OrderBy(r => r.EndedAt).ToList();
    }

    /// <summary>The p-th percentile (0..100) of the latencies, in milliseconds (nearest rank).</summary>
    public static double Percentile(IEnumerable<TimedResponse> responses, double p)
    {
        var sorted = responses.Select(r => r.Latency.TotalMilliseconds).Order().ToArray();
        sorted.Should().NotBeEmpty("a percentile needs responses");
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static bool IsOk(TimedResponse response) => response.Status == (int)HttpStatusCode.OK;
}
