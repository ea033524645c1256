using System.Net;

namespace MlOpsTemplates.Tests.Infrastructure;

public static class HttpPolling
{
    /// <summary>
    /// Polls GET <paramref name="path"/> until it answers <paramref name="expected"/>; fails early if the
    /// server process dies, and with its output on timeout.
    /// </summary>
    public static async Task<TimeSpan> WaitForStatusAsync(HttpClient client, string path, HttpStatusCode expected, TimeSpan timeout, BackgroundProcess server)
    {
        var started = DateTime.UtcNow;
        var last = "no answer yet";
        while (DateTime.UtcNow - started < timeout)
        {
            server.HasExited.Should().BeFalse($"the server must keep running while we wait for {path}:{Environment.NewLine}{server.Describe()}");
            try
            {
                using var response = await client.GetAsync(path);
                if (response.StatusCode == expected)
                {
                    return DateTime.UtcNow - started;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e)
            {
                last = e.Message;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(
            $"GET {path} did not answer {(int)expected} within {timeout.TotalSeconds:F0} s; last: {last}{Environment.NewLine}{server.Describe()}");
    }
}
