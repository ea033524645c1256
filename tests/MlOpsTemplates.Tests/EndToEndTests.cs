using System.Net;
using System.Text.Json.Nodes;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>Each trainer: train on the sample data, serve the model as a real process, call it as a client would.</summary>
[Collection(TrainsSharedRepos.Name)]
public sealed class EndToEndTests(ITestOutputHelper output)
{
    /// <summary>The one model of the trainer scenarios (binary, the default task).</summary>
    private const string Model = "churn";
    private const string ModelPath = "/v1/models/" + Model;
    private const string PredictPath = ModelPath + ":predict";
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(Scenarios.TrainerIds), MemberType = typeof(Scenarios))]
    public async Task Trained_model_is_served_and_rejects_bad_input(string scenarioId)
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get(scenarioId));

        var train = (await DotNetCli.RunAsync(repo.Root, ["run", "--project", repo.ProjectFolder("Training"), "--no-build"], repo.Log("5-train"))).EnsureSuccess();
        var models = RepoModels.ModelsDirectory(repo.Root);
        RepoModels.Single(repo.Root).Should().Be(Model);
        var model = RepoModels.ModelFile(models, Model);
        AssertTrainingOutput(models, model, train);

        await AssertBadDataIsRejectedAndTheModelKeptAsync(repo, model);

        await using var service = await RunningService.StartAsync(repo, models, s_readyTimeout);
        Durations.Report(output, repo, ("train", train.Duration), ("API ready after", service.TimeToReady));
        var client = service.Client;
        string Context(JsonResponse r) => $"{r}{Environment.NewLine}{service.Process.Describe()}";

        var live = await JsonHttp.GetAsync(client, "/health/live");
        live.Status.Should().Be(HttpStatusCode.OK, Context(live));
        await AssertOnlyCallersWithTheKeyGetThroughAsync(repo.Scenario, client.BaseAddress!, Context);

        var metadata = await JsonHttp.GetAsync(client, ModelPath);
        metadata.Status.Should().Be(HttpStatusCode.OK, Context(metadata));
        metadata.Required("name").GetValue<string>().Should().Be(Model, Context(metadata));
        metadata.Required("task").GetValue<string>().Should().Be("binary", Context(metadata));
        metadata.Required("ready").GetValue<bool>().Should().BeTrue(Context(metadata));

        var examplePath = RepoModels.Example(repo.Root, Model);
        File.Exists(examplePath).Should().BeTrue($"the generated repo documents a request body at docs/examples/{Model}.json");
        var example = await File.ReadAllTextAsync(examplePath);
        await AssertPredictsAsync(client, example, Context);

        var invalid = JsonNode.Parse(example)!;
        var instance = invalid["instances"]![0]!.DeepClone();
        instance["contract"] = "lifetime";
        var rejected = await JsonHttp.PostAsync(client, PredictPath, new JsonObject { ["instances"] = new JsonArray(instance) }.ToJsonString());
        AssertProblem(rejected, Context);
        rejected.Required("errors").AsObject().Select(e => e.Key).Should()
            .Contain(key => key.Contains("contract", StringComparison.OrdinalIgnoreCase), "the problem must name the invalid field: " + Context(rejected));

        AssertProblem(await JsonHttp.PostAsync(client, PredictPath, "{"), Context);

        // The service keeps serving after bad requests.
        await AssertPredictsAsync(client, example, Context);

        var exitCode = await service.Process.TerminateAsync(TimeSpan.FromSeconds(15));
        exitCode.Should().Be(0, "SIGTERM must shut the service down cleanly: " + service.Process.Describe());
        AssertProductionLogs(service.Process.Output);
        service.Process.Output.Should().NotContain(ServiceAuth.TestKey, "API keys are never logged");
        service.Process.Output.Should().Contain("Application is shutting down", "shutdown is logged");
    }

    /// <summary>
    /// With API keys (the default) a caller without the key, or with a wrong one, gets a 401 problem on /v1 while the
    /// probes stay open; with --auth none anyone gets through.
    /// </summary>
    private static async Task AssertOnlyCallersWithTheKeyGetThroughAsync(Scenario scenario, Uri address, Func<JsonResponse, string> context)
    {
        using var anonymous = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        using var wrongKey = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        wrongKey.DefaultRequestHeaders.Add(ServiceAuth.Header, "not-" + ServiceAuth.TestKey);

        (await JsonHttp.GetAsync(anonymous, "/health/ready")).Status.Should().Be(HttpStatusCode.OK, "probes never need a key");
        foreach (var (client, reason) in new[] { (anonymous, "required"), (wrongKey, "not valid") })
        {
            var response = await JsonHttp.GetAsync(client, ModelPath);
            if (!ServiceAuth.RequiresKey(scenario))
            {
                response.Status.Should().Be(HttpStatusCode.OK, "--auth none lets every caller through: " + context(response));
                continue;
            }

            response.Status.Should().Be(HttpStatusCode.Unauthorized, context(response));
            response.MediaType.Should().Be("application/problem+json", context(response));
            response.Required("title").GetValue<string>().Should().Contain(reason, context(response));
            response.Body.Should().NotContain(ServiceAuth.TestKey, "a refusal never echoes a key");
        }
    }

    /// <summary>In production every log line is one JSON object; requests carry a trace id; bodies are never logged.</summary>
    private static void AssertProductionLogs(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Should().NotBeEmpty("the service must log to stdout");
        var events = lines.Select(line =>
        {
            var parsed = JsonNode.Parse(line) as JsonObject;
            parsed.Should().NotBeNull($"every production log line must be a JSON object, got: {line}");
            return parsed!;
        }).ToList();

        events.Should().Contain(
            e => e["RequestPath"] != null && e["RequestPath"]!.ToString() == PredictPath && e["StatusCode"] != null && e["@tr"] != null,
            "a refused (4xx) predict request is logged with its path, status and trace id; successful ones are not logged in Production");
        output.Should().NotContain("lifetime", "request bodies must never be logged");
    }

    /// <summary>Through the real CLI: bad data fails with a report naming row and column; the model on disk is untouched.</summary>
    private static async Task AssertBadDataIsRejectedAndTheModelKeptAsync(GeneratedRepo repo, string model)
    {
        var before = await File.ReadAllBytesAsync(model);
        var lines = await File.ReadAllLinesAsync(Path.Combine(repo.Root, "data", Model + ".csv"));
        var header = lines[0].Split(',');
        var cells = lines[1].Split(',');
        cells[Array.IndexOf(header, "contract")] = "lifetime";
        var badData = Path.Combine(Path.GetDirectoryName(repo.Root)!, "bad-churn.csv");
        await File.WriteAllLinesAsync(badData, [lines[0], string.Join(',', cells), .. lines.Skip(2)]);

        var train = await DotNetCli.RunAsync(
            repo.Root, ["run", "--project", repo.ProjectFolder("Training"), "--no-build", "--", "--data", badData], repo.Log("5-train-bad-data"));

        train.Succeeded.Should().BeFalse($"training on invalid data must fail:{Environment.NewLine}{train}");
        train.Output.Should().Contain("row 2, column contract", $"the report must name the row and column:{Environment.NewLine}{train}");
        (await File.ReadAllBytesAsync(model)).Should().Equal(before, "a failed run must leave the current model untouched");
    }

    private static void AssertTrainingOutput(string models, string model, ProcessResult train)
    {
        File.Exists(model).Should().BeTrue($"training must write {model}:{Environment.NewLine}{train}");
        var manifestPath = RepoModels.Manifest(models, Model);
        File.Exists(manifestPath).Should().BeTrue($"training must write {manifestPath}:{Environment.NewLine}{train}");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        ((string?)manifest["model"]).Should().Be(Model, $"the manifest names its model: {manifest}");
        ((string?)manifest["task"]).Should().Be("binary", $"the manifest names its task: {manifest}");
        manifest["metrics"].Should().BeOfType<JsonObject>($"the manifest must record metrics: {manifest}")
            .Which.Should().NotBeEmpty();
    }

    private static async Task AssertPredictsAsync(HttpClient client, string request, Func<JsonResponse, string> context)
    {
        var instances = JsonNode.Parse(request)!["instances"]!.AsArray().Count;
        instances.Should().BePositive("the example request must hold instances");

        var response = await JsonHttp.PostAsync(client, PredictPath, request);
        response.Status.Should().Be(HttpStatusCode.OK, context(response));
        var predictions = response.Required("predictions").AsArray();
        predictions.Should().HaveCount(instances, "one prediction per instance: " + context(response));
        foreach (var prediction in predictions)
        {
            prediction!["label"]!.GetValueKind().Should().BeOneOf([System.Text.Json.JsonValueKind.True, System.Text.Json.JsonValueKind.False], context(response));
            prediction["probability"]!.GetValue<double>().Should().BeInRange(0, 1, context(response));
        }
    }

    private static void AssertProblem(JsonResponse response, Func<JsonResponse, string> context)
    {
        response.Status.Should().Be(HttpStatusCode.BadRequest, context(response));
        response.MediaType.Should().Be("application/problem+json", context(response));
        response.Required("status").GetValue<int>().Should().Be(400, context(response));
        response.Required("title").GetValue<string>().Should().NotBeNullOrWhiteSpace(context(response));
        response.Required("type").GetValue<string>().Should().NotBeNullOrWhiteSpace(context(response));
    }
}
