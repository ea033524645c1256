using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated repo's experiment records and model registry, through make as a developer uses them: every
/// training run is recorded and listed, two runs can be compared, and promote and rollback switch the model
/// that is served. The terminal output of each command is written to the test output.
/// </summary>
public sealed partial class RegistryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Runs_are_recorded_listed_and_compared_and_promote_and_rollback_switch_the_served_model()
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get("defaults"));
        var models = Path.Combine(repo.Root, "models");

        var first = await TrainAsync(repo, [], "make-train-registry-1");
        var second = await TrainAsync(repo, ["ARGS=--set seed=7"], "make-train-registry-2");
        try
        {
            ServedVersion(models).Should().Be(second.Version, "make train serves the model it registered");
            second.Version.Should().NotBe(first.Version);
            string.CompareOrdinal(second.Version, first.Version).Should().BePositive("versions sort by time");

            var runs = await MakeAsync(repo, ["runs"], "make-runs");
            var lines = runs.StandardOutput.Split('\n');
            var firstLine = Array.FindIndex(lines, l => l.StartsWith(first.RunId, StringComparison.Ordinal));
            var secondLine = Array.FindIndex(lines, l => l.StartsWith(second.RunId, StringComparison.Ordinal));
            secondLine.Should().BeGreaterThan(0, "make runs lists the second run: " + runs);
            firstLine.Should().BeGreaterThan(secondLine, "make runs lists the newest run first: " + runs);
            lines[firstLine].Should().MatchRegex($@"\bsdca\s+42\s+0\.\d{{4}}\s+0\.\d{{4}}\s+passed\s+{Regex.Escape(first.Version)}$");
            lines[secondLine].Should().MatchRegex($@"\bsdca\s+7\s+0\.\d{{4}}\s+0\.\d{{4}}\s+passed\s+{Regex.Escape(second.Version)}$");
            output.WriteLine($"----- run record models/runs/{second.RunId}.json -----");
            output.WriteLine(await File.ReadAllTextAsync(Path.Combine(models, "runs", second.RunId + ".json")));

            var compare = await MakeAsync(repo, ["runs-compare", $"A={first.RunId}", $"B={second.RunId}"], "make-runs-compare");
            compare.Output.Should().MatchRegex(@"(?m)^\s+seed\s+42\s+7\s+-35\s*$", "the seed is the parameter that differs");
            compare.Output.Should().MatchRegex(@"(?m)^\s+auc\s+0\.\d{4}\s+0\.\d{4}\s+[+-]0\.\d+\s*$", "the AUC moved with the split");

            var promote = await MakeAsync(repo, ["promote", $"VERSION={first.Version}"], "make-promote");
            promote.Output.Should().Contain($"Was serving: {second.Version}").And.Contain($"Now serving: {first.Version}");
            AssertServes(models, first.Version);

            var rollback = await MakeAsync(repo, ["rollback"], "make-rollback");
            rollback.Output.Should().Contain($"Was serving: {first.Version}").And.Contain($"Now serving: {second.Version}");
            AssertServes(models, second.Version);

            var history = (await File.ReadAllLinesAsync(Path.Combine(models, "registry", "promotions.jsonl"))).TakeLast(4)
                .Select(l => JsonNode.Parse(l)!).Select(e => ((string)e["action"]!, (string)e["version"]!));
            history.Should().Equal(("train", first.Version), ("train", second.Version), ("promote", first.Version), ("rollback", second.Version));

            var unknown = await Make.RunAsync(repo.Root, ["promote", "VERSION=19990101.000000.0000"], repo.Log("make-promote-unknown"));
            output.WriteLine($"$ make promote VERSION=19990101.000000.0000   (exit code {unknown.ExitCode})");
            output.WriteLine(unknown.Output.TrimEnd());
            unknown.Succeeded.Should().BeFalse();
            unknown.Output.Should().Contain("'19990101.000000.0000' is not registered").And.Contain("nothing changed");
            AssertServes(models, second.Version);
        }
        finally
        {
            // Leave the shared repo serving the model of params.yaml, as a plain make train would, so that later
            // tests retraining it are not measured against the seed-7 model.
            (await Make.RunAsync(repo.Root, ["promote", $"VERSION={first.Version}"], repo.Log("make-promote-restore"))).EnsureSuccess();
        }
    }

    [Fact]
    public async Task The_image_serves_the_promoted_pair_and_leaves_registry_and_runs_in_the_build()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var dockerfile = DockerfileModel.Load(Path.Combine(tree.Root, "Dockerfile"));

        var train = dockerfile.Stages.Should().ContainSingle(s => s.All("RUN").Any(r => r.Arguments.Contains(".Training", StringComparison.Ordinal))).Subject;
        train.All("RUN").Select(r => r.Arguments).Should().Contain(r => r.EndsWith("-- train --output models", StringComparison.Ordinal));
        var copy = dockerfile.Final.All("COPY").Should().ContainSingle(c => c.Arguments.Contains("models", StringComparison.Ordinal)).Subject;
        var (flags, sources) = copy.SplitFlags();
        flags["from"].Should().Be(train.Name);
        DockerWords.Split(sources, null).Should().Equal(["/src/models/model.zip", "/src/models/manifest.json", "./models/"],
            "the runtime image gets the served model and its manifest, not the registry or the run records");
    }

    private async Task<(string RunId, string Version)> TrainAsync(GeneratedRepo repo, string[] variables, string log)
    {
        var runsFolder = Path.Combine(repo.Root, "models", "runs");
        var before = Directory.Exists(runsFolder) ? Directory.GetFiles(runsFolder).ToHashSet() : [];

        var train = await MakeAsync(repo, ["train", .. variables], log);

        var record = Directory.GetFiles(runsFolder).Except(before).Should().ContainSingle("make train records one run: " + train).Subject;
        var run = JsonNode.Parse(await File.ReadAllTextAsync(record))!;
        ((string)run["status"]!).Should().Be("passed", train.ToString());
        return ((string)run["run_id"]!, (string)run["registered_version"]!);
    }

    private async Task<ProcessResult> MakeAsync(GeneratedRepo repo, string[] arguments, string log)
    {
        var result = await Make.RunAsync(repo.Root, arguments, repo.Log(log));
        output.WriteLine($"$ make {string.Join(' ', arguments)}");
        output.WriteLine(result.Output.TrimEnd());
        output.WriteLine(string.Empty);
        return result.EnsureSuccess();
    }

    private static string ServedVersion(string models) =>
        (string)JsonNode.Parse(File.ReadAllText(Path.Combine(models, "manifest.json")))!["version"]!;

    private static void AssertServes(string models, string version)
    {
        ServedVersion(models).Should().Be(version);
        File.ReadAllBytes(Path.Combine(models, "model.zip")).Should().Equal(
            File.ReadAllBytes(Path.Combine(models, "registry", version, "model.zip")), $"models/model.zip must be the registered {version}");
        File.Exists(Path.Combine(models, "model.zip.tmp")).Should().BeFalse();
        File.Exists(Path.Combine(models, "manifest.json.tmp")).Should().BeFalse();
    }
}
