using System.Globalization;
using System.Text.RegularExpressions;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>The outcome of one wrk run, read from its text report.</summary>
public sealed partial record WrkReport(long Requests, double RequestsPerSecond, long Non2xx, long SocketErrors, string Output)
{
    /// <summary>
    /// Runs <c>wrk -t2 -c&lt;connections&gt; -d&lt;seconds&gt;s --latency</c> posting <paramref name="bodyFile"/> as JSON
    /// (with the API key when given) through a Lua script written next to <paramref name="logFile"/>.
    /// </summary>
    public static async Task<WrkReport> RunAsync(Uri url, string bodyFile, string? apiKey, int connections, int seconds, string logFile)
    {
        var script = Path.ChangeExtension(logFile, ".lua");
        var key = apiKey is null ? string.Empty : $"wrk.headers[\"{ServiceAuth.Header}\"] = \"{apiKey}\"\n";
        await File.WriteAllTextAsync(script,
            "wrk.method = \"POST\"\n" +
            "wrk.headers[\"Content-Type\"] = \"application/json\"\n" +
            key +
            $"local f = assert(io.open(\"{bodyFile}\", \"rb\"))\n" +
            "wrk.body = f:read(\"*all\")\n" +
            "f:close()\n");
        var result = (await ProcessRunner.RunAsync(
            new ProcessSpec("wrk", ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url.ToString()], Path.GetDirectoryName(logFile)!,
                new Dictionary<string, string?>()),
            TimeSpan.FromSeconds(seconds + 30),
            logFile)).EnsureSuccess();
        var output = result.StandardOutput;
        var requests = RequestsLine().Match(output);
        requests.Success.Should().BeTrue($"wrk reports how many requests it sent:{Environment.NewLine}{output}");
        var rate = RateLine().Match(output);
        var non2xx = Non2xxLine().Match(output);
        var socket = SocketErrorsLine().Match(output);
        long socketErrors = 0;
        if (socket.Success)
        {
            socketErrors = new[] { "connect", "read", "write", "timeout" }
                .Sum(group => long.Parse(socket.Groups[group].Value, CultureInfo.InvariantCulture));
        }

        return new WrkReport(
            long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture),
            rate.Success ? double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors,
            output);
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RateLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"Socket errors: connect (?<connect>\d+), read (?<read>\d+), write (?<write>\d+), timeout (?<timeout>\d+)")]
    private static partial Regex SocketErrorsLine();
}
