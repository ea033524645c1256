using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated service as a real process in Production: Prometheus metrics at /metrics, and a model
/// promoted into its folder while it runs is picked up without a restart.
/// </summary>
public sealed class ServingTests(ITestOutputHelper output)
{
    /// <summary>The one model of the default repo.</summary>
    private const string Model = "churn";
    private const string PredictPath = "/v1/models/" + Model + ":predict";

    [Fact]
    public async Task The_service_exposes_metrics_and_reloads_a_promoted_model()
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get("defaults"));
        var folder = TestRun.ScenarioFolder("defaults", "serving");
        // Trained into models/<name>/ of a folder of its own, served from there (Model:Directory).
        var servingModels = Path.Combine(folder, "models");
        var candidateModels = Path.Combine(folder, "candidate");
        var serving = RepoModels.Folder(servingModels, Model);
        var candidate = RepoModels.Folder(candidateModels, Model);
        (await TrainAsync(repo, servingModels, "42", "serving-train")).EnsureSuccess();
        await using var service = await RunningService.StartAsync(repo, servingModels, TimeSpan.FromSeconds(60));
        string Context(object what) => $"{what}{Environment.NewLine}{service.Process.Describe()}";

        var example = await File.ReadAllTextAsync(RepoModels.Example(repo.Root, Model));
        var instances = JsonNode.Parse(example)!["instances"]!.AsArray().Count;
        var predicted = await JsonHttp.PostAsync(service.Client, PredictPath, example);
        predicted.Status.Should().Be(HttpStatusCode.OK, Context(predicted));
        using var scrape = await service.Client.GetAsync("/metrics");
        var metrics = await scrape.Content.ReadAsStringAsync();
        output.WriteLine(string.Join(Environment.NewLine, metrics.Split('\n').Where(l => l.StartsWith("ml_", StringComparison.Ordinal))));

        scrape.StatusCode.Should().Be(HttpStatusCode.OK);
        scrape.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var version = VersionOf(serving);
        Sample(metrics, $"ml_model_info{{model=\"churn\",version=\"{version}\",trainer=\"sdca\"}}").Should().Be(1, metrics);
        (Sample(metrics, "ml_predictions_total{model=\"churn\",label=\"true\"}") + Sample(metrics, "ml_predictions_total{model=\"churn\",label=\"false\"}"))
            .Should().Be(instances, metrics);
        Sample(metrics, "ml_prediction_probability_count{model=\"churn\"}").Should().Be(instances, metrics);
        metrics.Should().MatchRegex(@"(?m)^http_request_duration_seconds_count\{code=""200"",method=""POST"",[^}]*endpoint=""/v1/models/\{name\}:predict""\} 1$");
        metrics.Should().Contain("process_resident_memory_bytes ").And.Contain("ml_disk_free_bytes{path=");

        // Promote a model trained with another seed, as promotion does: manifest first, model.zip last.
        // Another seed gives another split, which the quality gate may refuse: the first seed that passes is promoted.
        foreach (var seed in new[] { "1", "2", "3", "21" })
        {
            var run = await TrainAsync(repo, candidateModels, seed, $"serving-train-seed-{seed}");
            if (run.ExitCode != 2)
            {
                run.EnsureSuccess();
                break;
            }
        }

        File.Exists(Path.Combine(candidate, "model.zip")).Should().BeTrue("one of the seeds passes the quality gate");
        var newVersion = VersionOf(candidate);
        newVersion.Should().NotBe(version, "each training run gets its own version");
        File.Copy(Path.Combine(candidate, "manifest.json"), Path.Combine(serving, "manifest.json.tmp"));
        File.Copy(Path.Combine(candidate, "model.zip"), Path.Combine(serving, "model.zip.tmp"));
        File.Move(Path.Combine(serving, "manifest.json.tmp"), Path.Combine(serving, "manifest.json"), overwrite: true);
        File.Move(Path.Combine(serving, "model.zip.tmp"), Path.Combine(serving, "model.zip"), overwrite: true);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonResponse metadata;
        do
        {
            await Task.Delay(200);
            metadata = await JsonHttp.GetAsync(service.Client, "/v1/models/" + Model);
        }
        while (metadata.Required("version").GetValue<string>() != newVersion && DateTime.UtcNow < deadline);

        metadata.Required("version").GetValue<string>().Should().Be(newVersion, Context(metadata));
        var after = await service.Client.GetStringAsync("/metrics");
        Sample(after, "ml_model_reloads_total{model=\"churn\",result=\"success\"}").Should().Be(2, after);
        after.Should().NotContain($"version=\"{version}\"", "the replaced version's info series is removed");
        (await service.Process.TerminateAsync(TimeSpan.FromSeconds(15))).Should().Be(0, Context("clean shutdown"));
        service.Process.Output.Should().Contain($"replaces \\\"{version}\\\"", "the reload is logged");
    }

    /// <summary>Trains the model into <c>&lt;modelsDirectory&gt;/&lt;name&gt;/</c> with another seed.</summary>
    private static Task<ProcessResult> TrainAsync(GeneratedRepo repo, string modelsDirectory, string seed, string log) =>
        DotNetCli.RunAsync(
            repo.Root,
            ["run", "--project", repo.ProjectFolder("Training"), "--no-build", "--", "train", "--model", Model, "--models", modelsDirectory, "--set", $"seed={seed}"],
            repo.Log(log));

    private static string VersionOf(string modelFolder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(modelFolder, "manifest.json")))!["version"]!.GetValue<string>();

    /// <summary>The value of one exactly named series of a Prometheus scrape; fails when it is absent.</summary>
    private static double Sample(string scrape, string series)
    {
        var line = scrape.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        line.Should().NotBeNull($"the scrape must have {series}:{Environment.NewLine}{scrape}");
        return double.Parse(line![(series.Length + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
