using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// What an outside probe tried without a key, or with a key and bad manners, against the Release build in Production
/// on loopback: metric label floods, log amplification, key guessing, broken framing and slow bodies. Each attack is
/// bounded in count and time; the figures are printed.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class HostileClientTests(ITestOutputHelper output)
{
    private const string Model = "churn";
    private const string PredictPath = "/v1/models/" + Model + ":predict";
    private static readonly Scenario s_scenario = Scenarios.Get("defaults");

    /// <summary>The attackers' own loopback address, so that the legitimate client (127.0.0.1) is another client.</summary>
    private static readonly IPAddress s_attacker = IPAddress.Parse("127.0.0.2");

    private static string? Key => ServiceAuth.RequiresKey(s_scenario) ? ServiceAuth.TestKey : null;

    [Fact]
    public async Task Distinct_methods_paths_fields_model_names_and_headers_leave_the_metrics_series_and_memory_bounded()
    {
        const int Methods = 100_000;
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        await using var service = await StartReadyAsync(repo, "api-label-flood");
        var example = await File.ReadAllTextAsync(repo.ExampleRequest(Model));
        var initial = await ScrapeAsync(service.Client);
        await FloodAsync(service.Address, 0, 100, example); // every series a kind of request can add exists before counting
        var before = await ScrapeAsync(service.Client);

        var clock = Stopwatch.StartNew();
        await FloodAsync(service.Address, 100, Methods, example);
        var elapsed = clock.Elapsed;
        var after = await ScrapeAsync(service.Client);

        output.WriteLine($"{Methods} distinct methods and {Methods / 50} each of paths, model names, field names and headers in {elapsed.TotalSeconds:F1} s");
        output.WriteLine($"/metrics series: {initial.Series} at start, {before.Series} after 100 of each kind, {after.Series} after the flood; " +
                         $"resident memory: {before.ResidentMiB:F0} MiB before the flood, {after.ResidentMiB:F0} MiB after");
        (after.Series - before.Series).Should().BeLessThan(10, "every label has a bounded set of values, whatever clients send");
        after.ResidentMiB.Should().BeLessThan(before.ResidentMiB + 150, "the flood leaves nothing behind that grows with it");
        after.Text.Should().NotContain("M101\"").And.NotContain("/p101/q101").And.NotContain("m101\"").And.NotContain("X-H101");
        after.Text.Should().Contain("method=\"_OTHER\"", "unknown methods are counted as one value");
        (await service.Client.PostAsync(PredictPath, Json(example))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_refused_request_costs_one_short_log_line_and_a_client_that_keeps_failing_gets_429()
    {
        Key.Should().NotBeNull("the defaults scenario requires API keys");
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        await using var service = await StartReadyAsync(repo, "api-failed-keys");
        var example = await File.ReadAllTextAsync(repo.ExampleRequest(Model));
        var longPath = $"/v1/models/{new string('a', 8_000)}:predict";
        using var caller = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(30) };

        var linesBefore = service.LogLines.Count;
        var statuses = new List<int>();
        for (var i = 0; i < 14; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, i % 2 == 0 ? longPath : PredictPath) { Content = Json(example) };
            request.Headers.Add(ServiceAuth.Header, $"guess-{i:D4}-{Guid.NewGuid():N}");
            using var response = await caller.SendAsync(request);
            statuses.Add((int)response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                response.Headers.RetryAfter.Should().NotBeNull("a throttled client is told when to come back");
            }
        }

        using var rightKey = new HttpRequestMessage(HttpMethod.Post, PredictPath) { Content = Json(example) };
        rightKey.Headers.Add(ServiceAuth.Header, Key!);
        var whileThrottled = (await caller.SendAsync(rightKey)).StatusCode;
        await Task.Delay(500); // request lines are written after the response
        // The prediction log's own lines (its migration runs in the background after start) may fall in this window.
        var lines = service.LogLines.Skip(linesBefore).Where(l => !l.Contains("\"SourceContext\":\"MlOps.Platform.Data.", StringComparison.Ordinal)).ToList();
        var metrics = await service.Client.GetStringAsync("/metrics");

        output.WriteLine($"statuses: {string.Join(" ", statuses)}; {lines.Count} log lines, longest {lines.Max(l => l.Length)} characters");
        statuses.Take(10).Should().OnlyContain(s => s == 401, "the first failures are answered 401");
        statuses.Skip(10).Should().OnlyContain(s => s == 429, "after 10 failures in a minute the client is throttled");
        whileThrottled.Should().Be(HttpStatusCode.TooManyRequests, "a throttled client's keys are not checked at all, so guessing gains nothing");
        lines.Should().HaveCount(11, "one line per 401 and one for the throttling episode; 429s are counted, not logged");
        lines.Should().OnlyContain(l => l.Length < 1_500, "a long path is cut in the log");
        lines.Should().ContainSingle(l => l.Contains("without a valid API key within", StringComparison.Ordinal));
        metrics.Should().Contain("ml_auth_throttled_total 5");
        (await service.Client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK, "probes are never throttled");
    }

    [Theory]
    [InlineData("80000000")]
    [InlineData("FFFFFFFFFFFFFFFFFF")]
    [InlineData("-1")]
    [InlineData("zz")]
    public async Task Broken_chunked_framing_is_answered_4xx_never_5xx(string chunkSize)
    {
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        await using var service = await StartReadyAsync(repo, $"api-chunk-{chunkSize}");

        var answer = await RawHttp.ExchangeAsync(service.Address,
            $"POST {PredictPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n" +
            (Key is null ? string.Empty : $"{ServiceAuth.Header}: {Key}\r\n") + $"\r\n{chunkSize}\r\n{{\"instances\":[]}}\r\n0\r\n\r\n");
        await Task.Delay(500);

        output.WriteLine(answer.Split("\r\n")[0]);
        RawHttp.StatusOf(answer).Should().BeInRange(400, 499, answer);
        service.Process.Output.Should().NotContain("\"StatusCode\":5").And.NotContain("   at ", "no stack trace for a client's framing");
        (await service.Client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Slow_body_senders_beside_a_legitimate_client_leave_it_served()
    {
        const int Attackers = 250;
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        await using var service = await StartReadyAsync(repo, "api-slow-bodies");
        var example = await File.ReadAllTextAsync(repo.ExampleRequest(Model));
        await LatencyLoad.RunAsync(service.Address, PredictPath, example, 2, TimeSpan.FromSeconds(1), Key); // warm-up

        var quiet = await LatencyLoad.RunAsync(service.Address, PredictPath, example, 2, TimeSpan.FromSeconds(5), Key);
        using var stop = new CancellationTokenSource();
        var attack = SlowBodiesAsync(service.Address, Attackers, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(3)); // every attacker connected and sending
        var attacked = await LatencyLoad.RunAsync(service.Address, PredictPath, example, 2, TimeSpan.FromSeconds(8), Key);
        await stop.CancelAsync();
        var (connections, bytes) = await attack;

        var quietErrors = quiet.Count(r => !LatencyLoad.IsOk(r));
        var attackedErrors = attacked.Count(r => !LatencyLoad.IsOk(r));
        output.WriteLine($"without the attack: {quiet.Count} requests, {quietErrors} errors, p99 {LatencyLoad.Percentile(quiet, 99):F2} ms");
        output.WriteLine($"with {Attackers} slow-body connections ({connections} opened, {bytes} body bytes sent at about 300 B/s each): " +
                         $"{attacked.Count} requests, {attackedErrors} errors ({(double)attackedErrors / attacked.Count:P1}), " +
                         $"p99 {LatencyLoad.Percentile(attacked, 99):F2} ms");
        attacked.Should().NotBeEmpty();
        ((double)attackedErrors / attacked.Count).Should().BeLessThan(0.01, "slow senders hold connections, never the slots a prediction needs");
        LatencyLoad.Percentile(attacked, 99).Should().BeLessThan(Math.Max(250, 20 * LatencyLoad.Percentile(quiet, 99)), "a legitimate request never waits behind a slow body");
        service.Process.HasExited.Should().BeFalse();
    }

    [Fact]
    public async Task Idle_connections_are_closed_after_the_keep_alive_timeout_and_connections_beyond_the_cap_are_refused()
    {
        const int Cap = 8;
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        await using var service = await StartReadyAsync(
            repo, "api-idle-connections", new Dictionary<string, string?> { ["Limits__MaxConnections"] = $"{Cap}", ["Limits__KeepAliveTimeoutSeconds"] = "5" });
        service.Client.Dispose(); // its pooled connection would take a place

        var idle = new List<Socket>();
        for (var attempt = 0; idle.Count < Cap; attempt++)
        {
            var socket = await RawHttp.ConnectAsync(service.Address, s_attacker);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            if (await AnsweredAsync(socket))
            {
                idle.Add(socket);
                continue;
            }

            // The client's own connection, closed just above, holds a place until the server has seen it go.
            socket.Dispose();
            attempt.Should().BeLessThan(50, "the server must accept connections up to its cap");
            await Task.Delay(100);
        }

        // Well inside the keep-alive timeout (5 s), even on a loaded machine: no idle connection has been closed yet.
        await Task.Delay(300);
        var beyondCap = await RawHttp.ExchangeAsync(service.Address, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        var clock = Stopwatch.StartNew();
        var closed = await Task.WhenAll(idle.Select(ClosedByServerAsync));
        var closedAfter = clock.Elapsed;
        var afterwards = await RawHttp.ExchangeAsync(service.Address, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        idle.ForEach(s => s.Dispose());

        output.WriteLine($"beyond the cap of {Cap}: '{beyondCap.Split("\r\n")[0]}'; idle connections closed by the server within {closedAfter.TotalSeconds:F1} s");
        RawHttp.StatusOf(beyondCap).Should().Be(0, "a connection beyond the cap is closed without an answer");
        closed.Should().OnlyContain(c => c, "the server closes connections idle for longer than the keep-alive timeout");
        closedAfter.Should().BeLessThan(TimeSpan.FromSeconds(10));
        RawHttp.StatusOf(afterwards).Should().Be(200, "with the idle connections gone, new ones are served again");
    }

    [Theory]
    [InlineData("Production", null, "No API key is configured")]
    [InlineData("Production", "aaaaaaaaaaaaaaaa", "fewer than 6 different characters")]
    [InlineData("development", ServiceAuth.TestKey, "ASPNETCORE_ENVIRONMENT is 'development'")]
    public async Task A_start_up_setting_that_cannot_be_served_ends_the_process_with_exit_code_2_and_one_clear_line(
        string environment, string? key, string message)
    {
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        var spec = DotNetCli.Spec(
            Path.GetDirectoryName(repo.ApiAssembly)!,
            [repo.ApiAssembly, "--urls", $"http://127.0.0.1:{FreePort.Next()}"],
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = environment,
                ["DOTNET_ENVIRONMENT"] = null,
                ["Model__Directory"] = repo.ModelFolder,
                [ServiceAuth.KeyVariable] = key,
                ["Auth__ApiKeys__1"] = null,
            });

        var run = await ProcessRunner.RunAsync(spec, TimeSpan.FromSeconds(60), repo.Log($"api-start-{environment}-{key?.Length ?? 0}"));

        output.WriteLine(run.Output);
        run.ExitCode.Should().Be(2, $"a configuration error is a clear exit, not an abort:{Environment.NewLine}{run}");
        run.Output.Should().Contain("The service did not start: its configuration is not valid.").And.Contain(message)
            .And.NotContain("Unhandled exception").And.NotContain("   at ");
        if (key is not null)
        {
            run.Output.Should().NotContain(key, "a key is never shown");
        }
    }

    /// <summary>The defaults repo's Release service, started with <paramref name="settings"/> and ready.</summary>
    private static async Task<ReleaseService> StartReadyAsync(ReleaseRepo repo, string logName, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var service = await ReleaseService.StartAsync(repo, repo.ModelFolder, settings, logName);
        try
        {
            await service.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60));
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether the server closes the connection (within 15 s), reading whatever it answered first.</summary>
    /// <summary>Whether the server answers the request just sent on <paramref name="socket"/> (the headers of a response arrive).</summary>
    private static async Task<bool> AnsweredAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var count = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (count == 0)
                {
                    return false;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, count));
            }

            return RawHttp.StatusOf(received.ToString()) == 200;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> ClosedByServerAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true; // reset by the server
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Keeps <paramref name="count"/> connections from <see cref="s_attacker"/>, each with a valid key, declaring a 4 KB
    /// body and sending it at about 300 bytes a second; a connection the server drops is opened again.
    /// </summary>
    private static async Task<(int Connections, long Bytes)> SlowBodiesAsync(Uri server, int count, CancellationToken stop)
    {
        const int Declared = 4_096;
        var head = Encoding.ASCII.GetBytes(
            $"POST {PredictPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {Declared}\r\n" +
            (Key is null ? string.Empty : $"{ServiceAuth.Header}: {Key}\r\n") + "\r\n{\"instances\":[");
        var sockets = new Socket?[count];
        var opened = 0;
        long sent = 0;
        var tick = new byte[30]; // every 100 ms: 300 B/s
        Array.Fill(tick, (byte)' ');
        try
        {
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < count; i++)
                {
                    try
                    {
                        if (sockets[i] is null)
                        {
                            sockets[i] = await RawHttp.ConnectAsync(server, s_attacker, stop);
                            await sockets[i]!.SendAsync(head, SocketFlags.None, stop);
                            opened++;
                        }

                        sent += await sockets[i]!.SendAsync(tick, SocketFlags.None, stop);
                    }
                    catch (SocketException)
                    {
                        sockets[i]?.Dispose();
                        sockets[i] = null;
                    }
                }

                await Task.Delay(100, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // The attack ends when the test says so.
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket?.Dispose();
            }
        }

        return (opened, sent);
    }

    /// <summary>
    /// Requests <paramref name="first"/> to <paramref name="first"/> + <paramref name="methods"/> with invented methods, and a
    /// fiftieth as many each with distinct paths, model names, field names and headers.
    /// </summary>
    private static async Task FloodAsync(Uri server, int first, int methods, string example)
    {
        var others = Math.Max(1, methods / 50);
        await SendAllAsync(server, first, methods, i => new HttpRequestMessage(new HttpMethod($"M{i}"), "/health/live"));
        await SendAllAsync(server, first, others, i => new HttpRequestMessage(HttpMethod.Get, $"/p{i}/q{i}"));
        await SendAllAsync(server, first, others, i => new HttpRequestMessage(HttpMethod.Get, $"/v1/models/m{i}"));
        await SendAllAsync(server, first, others, i => new HttpRequestMessage(HttpMethod.Post, PredictPath)
        {
            Content = Json($"{{\"instances\":[{{\"f{i}\":1}}]}}"),
        });
        await SendAllAsync(server, first, others, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, PredictPath) { Content = Json(example) };
            request.Headers.TryAddWithoutValidation($"X-H{i}", $"v{i}");
            return request;
        });
    }

    /// <summary>Sends requests <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/>, 16 at a time on kept-alive connections.</summary>
    private static async Task SendAllAsync(Uri server, int first, int count, Func<int, HttpRequestMessage> request)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        if (Key is not null)
        {
            client.DefaultRequestHeaders.Add(ServiceAuth.Header, Key);
        }

        var next = first - 1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < first + count)
            {
                using var message = request(i);
                using var response = await client.SendAsync(message);
                await response.Content.ReadAsByteArrayAsync();
            }
        })));
    }

    private static async Task<(int Series, double ResidentMiB, string Text)> ScrapeAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/metrics");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        var resident = lines.Single(l => l.StartsWith("process_resident_memory_bytes ", StringComparison.Ordinal)).Split(' ')[1];
        return (lines.Count, double.Parse(resident, System.Globalization.CultureInfo.InvariantCulture) / (1024 * 1024), text);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
