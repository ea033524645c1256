using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated service, built in Release and started in Production on loopback, against hostile input, steady
/// load, overload, shutdown under load and a missing or corrupt model. Every test is bounded in time.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class HardeningTests(ITestOutputHelper output)
{
    /// <summary>The model of the default repo (the bad request corpus addresses it by name).</summary>
    private const string Model = "churn";
    private const string PredictPath = "/v1/models/" + Model + ":predict";
    private static readonly Scenario s_scenario = Scenarios.Get("defaults");

    /// <summary>Largest answer to a bad request: it never grows with what the client sent.</summary>
    private const int MaxProblemBytes = 4_096;

    private static string? Key => ServiceAuth.RequiresKey(s_scenario) ? ServiceAuth.TestKey : null;

    [Fact]
    public void The_bad_request_corpus_covers_every_kind_of_broken_request()
    {
        var corpus = BadRequest.All;

        corpus.Should().HaveCountGreaterThanOrEqualTo(40);
        corpus.Select(r => r.Name.Split('-', 3)[1]).Distinct().Should().Contain(
            ["malformed", "type", "missing", "extra", "duplicate", "number", "empty", "huge", "deeply", "batch", "content", "method", "model"]);
        corpus.Should().OnlyContain(r => r.ExpectStatus >= 400 && r.ExpectStatus < 500 && r.ExpectMention.Length > 0);
    }

    [Fact]
    public async Task Every_bad_request_gets_a_4xx_problem_naming_what_is_wrong_and_the_service_keeps_serving()
    {
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        await using var service = await ReleaseService.StartAsync(repo, repo.ModelFolder, logName: "api-bad-requests");
        await service.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        var failures = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        using var caller = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(30) }; // the key comes from each file

        foreach (var bad in BadRequest.All)
        {
            using var request = bad.ToRequest(ServiceAuth.RequiresKey(s_scenario));
            using var response = await caller.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var problem = Problem(body);
            var status = (int)response.StatusCode;
            var named = $"{problem?["detail"]} {problem?["errors"]?.ToJsonString()}";
            if (status >= 500
                || body.Length > MaxProblemBytes
                || status != bad.ExpectStatus
                || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || problem?["status"]?.GetValue<int>() != status
                || problem["title"] is null
                || !named.Contains(bad.ExpectMention, StringComparison.Ordinal))
            {
                failures.Add($"{bad}{Environment.NewLine}  expected {bad.ExpectStatus} naming '{bad.ExpectMention}', got {status} " +
                             $"{response.Content.Headers.ContentType}: {Truncate(body)}");
            }
        }

        output.WriteLine($"{BadRequest.All.Count} bad requests sent in {stopwatch.Elapsed.TotalSeconds:F1} s");
        failures.Should().BeEmpty($"every bad request must get its 4xx problem document of at most {MaxProblemBytes} bytes:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");

        (await service.Client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK, "the service is still ready");
        await AssertPredictsAsync(service.Client, repo);
        var log = service.Process.Output;
        log.Should().NotContain(BadRequest.BodyMarker, "request bodies are never logged");
        log.Should().NotContain("\"StatusCode\":5", "no bad request may end in a server error");
    }

    [Fact]
    public async Task Steady_load_with_wrk_gets_only_2xx_and_no_socket_errors_while_readiness_stays_200()
    {
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        await using var service = await ReleaseService.StartAsync(repo, repo.ModelFolder, logName: "api-wrk");
        await service.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        using var stop = new CancellationTokenSource();
        var readiness = PollReadinessAsync(service, stop.Token);

        var report = await WrkReport.RunAsync(
            new Uri(service.Address, PredictPath), repo.ExampleRequest(Model), Key, connections: 16, seconds: 5, repo.Log("wrk-steady"));
        await stop.CancelAsync();
        var probes = await readiness;

        output.WriteLine($"wrk -t2 -c16 -d5s: {report.Requests} requests, {report.RequestsPerSecond:F0} requests/s");
        output.WriteLine(report.Output);
        report.Requests.Should().BePositive();
        report.Non2xx.Should().Be(0, report.Output);
        report.SocketErrors.Should().Be(0, report.Output);
        probes.Should().NotBeEmpty().And.OnlyContain(status => status == HttpStatusCode.OK, "readiness stays 200 under load");
        await AssertPredictsAsync(service.Client, repo);
    }

    [Fact]
    public async Task Sigterm_under_load_turns_readiness_503_before_the_listener_closes_lets_in_flight_requests_finish_and_exits_0()
    {
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        await using var service = await ReleaseService.StartAsync(
            repo, repo.ModelFolder, new Dictionary<string, string?> { ["Limits__ShutdownDrainSeconds"] = "2" }, "api-shutdown");
        await service.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        var example = await File.ReadAllBytesAsync(repo.ExampleRequest(Model));
        using var stopLoad = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var load = LatencyLoad.RunAsync(service.Address, PredictPath, Encoding.UTF8.GetString(example), 8, TimeSpan.FromSeconds(20), Key, stopLoad.Token);

        // A request in flight: headers and half the body sent, the rest only once the listener has closed.
        using var inFlight = new TcpClient();
        await inFlight.ConnectAsync(IPAddress.Loopback, service.Address.Port);
        var stream = inFlight.GetStream();
        var half = example.Length / 2;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {PredictPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {example.Length}\r\n" +
            (Key is null ? string.Empty : $"{ServiceAuth.Header}: {Key}\r\n") + "\r\n"));
        await stream.WriteAsync(example.AsMemory(0, half));
        await Task.Delay(1000);

        var clock = Stopwatch.StartNew();
        var exit = service.Process.TerminateAsync(TimeSpan.FromSeconds(40));
        var notReadyAt = await FirstAsync(() => ReadinessAsync(service.Address), s => s == HttpStatusCode.ServiceUnavailable, clock);
        var closedAt = await FirstAsync(() => ReadinessAsync(service.Address), s => s is null, clock);
        await stream.WriteAsync(example.AsMemory(half));
        var answer = await ReadResponseAsync(stream);
        await stopLoad.CancelAsync();
        var responses = await load;
        var exitCode = await exit;

        output.WriteLine($"readiness 503 after {notReadyAt.TotalMilliseconds:F0} ms, listener closed after {closedAt.TotalMilliseconds:F0} ms; " +
                         $"{responses.Count(LatencyLoad.IsOk)} requests served under load");
        notReadyAt.Should().BeLessThan(closedAt, "readiness turns 503 while the listener still accepts");
        answer.Should().StartWith("HTTP/1.1 200", "the request in flight when the listener closed is still answered");
        responses.Where(r => r.Status != 0).Should().OnlyContain(r => r.Status == 200, "no request is refused or fails while the service drains");
        responses.Should().Contain(r => r.Status == 200);
        exitCode.Should().Be(0, service.Process.Describe());
        service.Process.Output.Should().Contain("Shutting down: readiness now answers 503");
    }

    [Fact]
    public async Task At_four_times_the_sustained_concurrency_the_excess_is_shed_fast_and_accepted_latency_stays_bounded()
    {
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        const int Permits = 2;
        const int Queue = 2;
        await using var service = await ReleaseService.StartAsync(
            repo,
            repo.ModelFolder,
            new Dictionary<string, string?>
            {
                ["Limits__MaxConcurrentRequests"] = $"{Permits}",
                ["Limits__QueueLength"] = $"{Queue}",
                ["Limits__RetryAfterSeconds"] = "2",
            },
            "api-overload");
        await service.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        var example = await File.ReadAllTextAsync(repo.ExampleRequest(Model));
        await LatencyLoad.RunAsync(service.Address, PredictPath, example, Permits, TimeSpan.FromSeconds(1), Key); // warm-up

        // Unloaded: as many clients as there are slots, so nothing waits and nothing is shed.
        var unloaded = await LatencyLoad.RunAsync(service.Address, PredictPath, example, Permits, TimeSpan.FromSeconds(4), Key);
        using var stop = new CancellationTokenSource();
        var readiness = PollReadinessAsync(service, stop.Token);
        var overload = await LatencyLoad.RunAsync(service.Address, PredictPath, example, 4 * (Permits + Queue), TimeSpan.FromSeconds(6), Key);
        await stop.CancelAsync();

        var accepted = overload.Where(LatencyLoad.IsOk).ToList();
        var shed = overload.Where(r => r.Status == 503).ToList();
        var unloadedP99 = LatencyLoad.Percentile(unloaded, 99);
        var acceptedP99 = LatencyLoad.Percentile(accepted, 99);
        var shedP99 = LatencyLoad.Percentile(shed, 99);
        var shedRate = (double)shed.Count / overload.Count;
        output.WriteLine($"unloaded ({Permits} clients): {unloaded.Count} requests, p50 {LatencyLoad.Percentile(unloaded, 50):F2} ms, p99 {unloadedP99:F2} ms");
        output.WriteLine($"overload ({4 * (Permits + Queue)} clients, {Permits} slots + {Queue} queued): {overload.Count} requests, " +
                         $"{accepted.Count} served (p50 {LatencyLoad.Percentile(accepted, 50):F2} ms, p99 {acceptedP99:F2} ms), " +
                         $"{shed.Count} shed ({shedRate:P0}, p50 {LatencyLoad.Percentile(shed, 50):F2} ms, p99 {shedP99:F2} ms); " +
                         $"accepted p99 / unloaded p99 = {acceptedP99 / unloadedP99:F1}");

        unloaded.Should().OnlyContain(r => r.Status == 200, "as many clients as there are slots are never shed");
        overload.Should().OnlyContain(r => r.Status == 200 || r.Status == 503, "the excess is refused, nothing fails");
        shed.Should().NotBeEmpty("four times the sustained concurrency must be shed in part");
        accepted.Should().NotBeEmpty("the service keeps serving while it sheds");
        shed.Should().OnlyContain(r => r.RetryAfter == "2" && r.MediaType == "application/problem+json");
        // Generous bounds on ratios measured in the same run, never on absolute times: with a bounded queue an
        // accepted request waits for a few others at most, and a refusal costs less than a prediction.
        acceptedP99.Should().BeLessThan(10 * unloadedP99, "latency of accepted requests stays bounded");
        LatencyLoad.Percentile(shed, 50).Should().BeLessThan(2 * LatencyLoad.Percentile(accepted, 50), "the excess is refused at once, without queueing");
        (await readiness).Should().OnlyContain(status => status == HttpStatusCode.OK, "the probes are never shed");
        (await service.Client.GetStringAsync("/metrics")).Should().Contain("ml_requests_shed_total");
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("corrupt")]
    public async Task Without_a_usable_model_at_start_the_service_stays_up_unready_with_one_log_line_and_turns_ready_when_a_good_one_appears(string state)
    {
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        var directory = Path.Combine(Path.GetDirectoryName(repo.Root)!, $"models-{state}");
        var folder = RepoModels.Folder(directory, Model);
        Directory.CreateDirectory(folder);
        var model = RepoModels.ModelFile(directory, Model);
        File.Delete(model);
        if (state == "corrupt")
        {
            await File.WriteAllTextAsync(model, "this is not a model");
        }

        await using var service = await ReleaseService.StartAsync(
            repo, directory, new Dictionary<string, string?> { ["Model__ReloadIntervalSeconds"] = "1" }, $"api-model-{state}");
        await service.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
        for (var i = 0; i < 8; i++)
        {
            (await service.Client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
            await Task.Delay(250);
        }

        var ready = await JsonHttp.GetAsync(service.Client, "/health/ready");
        var predict = await JsonHttp.PostAsync(service.Client, PredictPath, await File.ReadAllTextAsync(repo.ExampleRequest(Model)));
        var notLoaded = service.LogLines.Where(l => l.Contains("not loaded; the service stays unready", StringComparison.Ordinal)).ToList();
        service.Process.HasExited.Should().BeFalse("the process stays up without a usable model");
        ready.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        ready.Body.Should().Contain(state == "missing" ? "does not exist" : "corrupt");
        predict.Status.Should().Be(HttpStatusCode.ServiceUnavailable, predict.ToString());
        notLoaded.Should().ContainSingle($"one clear line for the state, not one per probe:{Environment.NewLine}{service.Process.Output}")
            .Which.Should().Contain(state == "missing" ? "does not exist" : "corrupt").And.Contain(Model, "the line names the model");
        service.LogLines.Should().NotContain(l => l.Contains("/health/", StringComparison.Ordinal), "failing probes are not logged one by one");

        // Placed as a promotion does: manifest first, model.zip renamed into place last.
        File.Copy(RepoModels.Manifest(repo.ModelFolder, Model), Path.Combine(folder, "manifest.json.tmp"), overwrite: true);
        File.Move(Path.Combine(folder, "manifest.json.tmp"), Path.Combine(folder, "manifest.json"), overwrite: true);
        File.Copy(repo.ModelPath(Model), Path.Combine(folder, "model.zip.tmp"), overwrite: true);
        File.Move(Path.Combine(folder, "model.zip.tmp"), model, overwrite: true);
        await service.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        await AssertPredictsAsync(service.Client, repo);
    }

    private static async Task AssertPredictsAsync(HttpClient client, ReleaseRepo repo)
    {
        var request = await File.ReadAllTextAsync(repo.ExampleRequest(Model));
        var response = await JsonHttp.PostAsync(client, PredictPath, request);
        response.Status.Should().Be(HttpStatusCode.OK, response.ToString());
        var predictions = response.Required("predictions").AsArray();
        predictions.Should().HaveCount(JsonNode.Parse(request)!["instances"]!.AsArray().Count);
        predictions.Should().OnlyContain(p => p!["probability"]!.GetValue<double>() >= 0 && p["probability"]!.GetValue<double>() <= 1);
    }

    private static async Task<List<HttpStatusCode>> PollReadinessAsync(ReleaseService service, CancellationToken stop)
    {
        var statuses = new List<HttpStatusCode>();
        while (!stop.IsCancellationRequested)
        {
            statuses.Add((await service.Client.GetAsync("/health/ready", CancellationToken.None)).StatusCode);
            await Task.Delay(200, CancellationToken.None);
        }

        return statuses;
    }

    /// <summary>GET /health/ready on a new connection; null when nothing listens any more.</summary>
    private static async Task<HttpStatusCode?> ReadinessAsync(Uri address)
    {
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return (await client.GetAsync("/health/ready")).StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task<TimeSpan> FirstAsync(Func<Task<HttpStatusCode?>> probe, Func<HttpStatusCode?, bool> until, Stopwatch clock)
    {
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (until(await probe()))
            {
                return clock.Elapsed;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the service never reached the expected state within 30 s");
    }

    private static async Task<string> ReadResponseAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var sofar = text.ToString();
            if (sofar.Contains("\"predictions\"", StringComparison.Ordinal) && (sofar.EndsWith('}') || sofar.EndsWith("0\r\n\r\n", StringComparison.Ordinal)))
            {
                break;
            }
        }

        return text.ToString();
    }

    private static JsonNode? Problem(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= 400 ? text : text[..400] + "...";
}
