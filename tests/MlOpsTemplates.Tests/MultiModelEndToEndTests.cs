using System.Net;
using System.Text.Json.Nodes;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// Repos whose model is not the default one (--task) or that have several models (make add-model): make train
/// trains every model, and the service, started as a real process in Production, serves each of them with the
/// response of its task, keeps their inputs apart, and is ready only while every model is.
/// </summary>
[Collection(TrainsSharedRepos.Name)]
public sealed class MultiModelEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The sample model a repo generated with --task keeps.</summary>
    private static readonly Dictionary<string, string> s_sampleModelOfTask = new(StringComparer.Ordinal)
    {
        ["binary"] = "churn",
        ["multiclass"] = "plan",
        ["regression"] = "demand",
    };

    public static TheoryData<string> ScenarioIds => new() { "task-multiclass", "task-regression", "added-model", "two-added-models" };

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Make_train_trains_every_model_and_the_service_serves_each_with_its_task_and_is_ready_only_when_all_are(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var repo = await GeneratedRepo.GetAsync(scenario);
        var expected = ExpectedModels(scenario);
        var names = RepoModels.Names(repo.Root);
        names.Should().Equal(expected.Keys.Order(StringComparer.Ordinal), "the repo has the kept sample model and the added ones");
        var models = RepoModels.ModelsDirectory(repo.Root);

        var train = (await Make.RunAsync(repo.Root, ["train"], repo.Log("make-train-all"))).EnsureSuccess();
        output.WriteLine(train.StandardOutput.TrimEnd());
        if (names.Count > 1)
        {
            train.Output.Should().Contain($"Trained {names.Count} model(s)", "make train trains every model, with a summary: " + train);
        }

        foreach (var name in names)
        {
            train.Output.Should().Contain($"of model {name} ({expected[name]})", "make train trains every model: " + train);
            File.Exists(RepoModels.ModelFile(models, name)).Should().BeTrue($"make train writes models/{name}/model.zip:{Environment.NewLine}{train}");
            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(RepoModels.Manifest(models, name)))!;
            ((string?)manifest["model"]).Should().Be(name, manifest.ToJsonString());
            ((string?)manifest["task"]).Should().Be(expected[name], manifest.ToJsonString());
        }

        await using (var service = await RunningService.StartAsync(repo, models, s_readyTimeout, logName: "api-all-models"))
        {
            Durations.Report(output, repo, ("make train (all models)", train.Duration), ("API ready after", service.TimeToReady));
            string Context(JsonResponse r) => $"{r}{Environment.NewLine}{service.Process.Describe()}";

            var list = await JsonHttp.GetAsync(service.Client, "/v1/models");
            list.Status.Should().Be(HttpStatusCode.OK, Context(list));
            list.Required("models").AsArray().Select(n => n!.GetValue<string>()).Should().Equal(names, "GET /v1/models lists every model: " + Context(list));
            var details = list.Required("details").AsArray().Select(d => d!.AsObject()).ToArray();
            details.Select(d => (string)d["name"]!).Should().Equal(names, Context(list));
            foreach (var detail in details)
            {
                var name = (string)detail["name"]!;
                ((string)detail["task"]!).Should().Be(expected[name], Context(list));
                ((bool)detail["ready"]!).Should().BeTrue(Context(list));
                ((string)detail["version"]!).Should().Be(VersionOf(models, name), "each model serves the version make train registered: " + Context(list));
            }

            var features = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var metadata = await JsonHttp.GetAsync(service.Client, $"/v1/models/{name}");
                metadata.Status.Should().Be(HttpStatusCode.OK, Context(metadata));
                metadata.Required("task").GetValue<string>().Should().Be(expected[name], Context(metadata));
                features[name] = [.. metadata.Required("features").AsArray().Select(f => (string)f!["name"]!)];
                var classes = expected[name] == "multiclass"
                    ? metadata.Required("classes").AsArray().Select(c => c!.GetValue<string>()).ToArray()
                    : null;

                var example = RepoModels.Example(repo.Root, name);
                File.Exists(example).Should().BeTrue($"each model documents a predict request at docs/examples/{name}.json");
                var request = await File.ReadAllTextAsync(example);
                var predicted = await JsonHttp.PostAsync(service.Client, RepoModels.PredictPath(name), request);
                PredictionShape.Assert(expected[name], request, predicted, Context, classes);
                output.WriteLine($"POST {RepoModels.PredictPath(name)} ({expected[name]}): {predicted.Body}");
            }

            // A request valid for one model is a 400 for another, naming the fields it lacks and those it does not know.
            var checkedPairs = 0;
            foreach (var from in names)
            {
                var request = await File.ReadAllTextAsync(RepoModels.Example(repo.Root, from));
                var sent = JsonNode.Parse(request)!["instances"]![0]!.AsObject().Select(p => p.Key).ToArray();
                foreach (var to in names.Where(n => n != from && !features[n].ToHashSet().SetEquals(sent)))
                {
                    var refused = await JsonHttp.PostAsync(service.Client, RepoModels.PredictPath(to), request);
                    refused.Status.Should().Be(HttpStatusCode.BadRequest, $"{from}'s example sent to {to}: {Context(refused)}");
                    refused.MediaType.Should().Be("application/problem+json", Context(refused));
                    var errors = refused.Required("errors").AsObject().Select(e => e.Key).ToArray();
                    var wrong = sent.Except(features[to]).Concat(features[to].Except(sent)).ToArray();
                    wrong.Should().NotBeEmpty();
                    errors.Should().Contain(wrong.Select(f => $"instances[0].{f}"), $"the problem names every field that is wrong for {to}: {Context(refused)}");
                    checkedPairs++;
                }
            }

            checkedPairs.Should().Be(names.Count * (names.Count - 1), "the models of these scenarios have different inputs");

            using var anonymous = new HttpClient { BaseAddress = service.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var ready = await JsonHttp.GetAsync(anonymous, "/health/ready");
            ready.Status.Should().Be(HttpStatusCode.OK, Context(ready));
            var states = ready.Json["checks"]!["models"]!["data"]!.AsObject();
            states.Select(s => s.Key).Should().BeEquivalentTo(names, "readiness names each model's state: " + Context(ready));
            states.Should().OnlyContain(s => (bool)s.Value!["ready"]!, Context(ready));

            (await service.Process.TerminateAsync(TimeSpan.FromSeconds(15))).Should().Be(0, service.Process.Describe());
        }

        await AssertOneMissingModelMakesTheServiceUnreadyWhileTheOthersPredictAsync(repo, names, expected);
    }

    /// <summary>
    /// The last model's file is missing (the others are copied as they are): /health/ready is 503 naming it, its
    /// metadata and predict are 503, and every other model still predicts.
    /// </summary>
    private async Task AssertOneMissingModelMakesTheServiceUnreadyWhileTheOthersPredictAsync(
        GeneratedRepo repo, IReadOnlyList<string> names, IReadOnlyDictionary<string, string> tasks)
    {
        var missing = names[^1];
        var directory = Path.Combine(Path.GetDirectoryName(repo.Root)!, "models-one-missing");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        foreach (var name in names)
        {
            var folder = RepoModels.Folder(directory, name);
            Directory.CreateDirectory(folder);
            File.Copy(RepoModels.Manifest(RepoModels.ModelsDirectory(repo.Root), name), Path.Combine(folder, "manifest.json"));
            if (name != missing)
            {
                File.Copy(RepoModels.ModelFile(RepoModels.ModelsDirectory(repo.Root), name), RepoModels.ModelFile(directory, name));
            }
        }

        await using var service = await RunningService.StartAsync(repo, directory, s_readyTimeout, waitForReady: false, logName: "api-one-missing");
        string Context(JsonResponse r) => $"{r}{Environment.NewLine}{service.Process.Describe()}";
        foreach (var name in names.Where(n => n != missing))
        {
            // The others load; the service as a whole stays unready.
            await HttpPolling.WaitForStatusAsync(service.Client, $"/v1/models/{name}", HttpStatusCode.OK, s_readyTimeout, service.Process);
        }

        // Until the missing file has been looked for, the model is still loading: wait for its verdict.
        var deadline = DateTime.UtcNow + s_readyTimeout;
        JsonResponse ready;
        while (true)
        {
            ready = await JsonHttp.GetAsync(service.Client, "/health/ready");
            if (ready.Body.Contains("does not exist", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250);
        }

        ready.Status.Should().Be(HttpStatusCode.ServiceUnavailable, "one model cannot answer: " + Context(ready));
        var states = ready.Json["checks"]!["models"]!["data"]!.AsObject();
        ((bool)states[missing]!["ready"]!).Should().BeFalse(Context(ready));
        ((string)states[missing]!["status"]!).Should().Contain("does not exist", Context(ready));
        ready.Json["checks"]!["models"]!["description"]!.GetValue<string>().Should().Contain(missing, "the description names the model that is not ready: " + Context(ready));

        var metadata = await JsonHttp.GetAsync(service.Client, $"/v1/models/{missing}");
        metadata.Status.Should().Be(HttpStatusCode.ServiceUnavailable, Context(metadata));
        var predict = await JsonHttp.PostAsync(service.Client, RepoModels.PredictPath(missing), await File.ReadAllTextAsync(RepoModels.Example(repo.Root, missing)));
        predict.Status.Should().Be(HttpStatusCode.ServiceUnavailable, Context(predict));

        var list = await JsonHttp.GetAsync(service.Client, "/v1/models");
        var detail = list.Required("details").AsArray().Single(d => (string)d!["name"]! == missing)!;
        ((bool)detail["ready"]!).Should().BeFalse(Context(list));
        ((string?)detail["reason"]).Should().NotBeNullOrWhiteSpace(Context(list));

        foreach (var name in names.Where(n => n != missing))
        {
            var request = await File.ReadAllTextAsync(RepoModels.Example(repo.Root, name));
            PredictionShape.Assert(tasks[name], request, await JsonHttp.PostAsync(service.Client, RepoModels.PredictPath(name), request), Context);
        }

        output.WriteLine($"models/{missing}/model.zip missing: /health/ready 503, {names.Count - 1} other model(s) still predict");
    }

    /// <summary>Each model of the scenario with its task: the sample model of --task, then the added ones.</summary>
    private static Dictionary<string, string> ExpectedModels(Scenario scenario)
    {
        var task = scenario.OptionValue("--task") ?? "binary";
        var models = new Dictionary<string, string>(StringComparer.Ordinal) { [s_sampleModelOfTask[task]] = task };
        foreach (var added in scenario.Additions)
        {
            models[added.Name] = added.Task;
        }

        return models;
    }

    private static string VersionOf(string models, string name) =>
        (string)JsonNode.Parse(File.ReadAllText(RepoModels.Manifest(models, name)))!["version"]!;
}
