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
[Collection(TrainsSharedRepos.Name)]
public sealed partial class RegistryTests(ITestOutputHelper output)
{
    /// <summary>
    /// The default repo (one model: MODEL may be left out) and a repo with an added model, where every command
    /// names its model with MODEL=churn and the other model's folder is left alone.
    /// </summary>
    [Theory]
    [InlineData("defaults")]
    [InlineData("added-model")]
    public async Task Runs_are_recorded_listed_and_compared_and_promote_and_rollback_switch_the_served_model(string scenarioId)
    {
        const string Model = "churn";
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get(scenarioId));
        var names = RepoModels.Names(repo.Root);
        names.Should().Contain(Model);
        var several = names.Count > 1;
        string[] model = several ? [$"MODEL={Model}"] : [];
        var models = RepoModels.Folder(RepoModels.ModelsDirectory(repo.Root), Model);
        var others = names.Where(n => n != Model).ToDictionary(n => n, n => FolderState(RepoModels.Folder(RepoModels.ModelsDirectory(repo.Root), n)));

        var champion = Path.Combine(repo.Root, "champions", Model + ".json");
        var summary = repo.Log("job-summary.md");
        File.Delete(summary);

        // As in the CI workflow, where GitHub Actions names the job summary file.
        var first = await TrainAsync(repo, models, [.. model], "make-train-registry-1", new() { ["GITHUB_STEP_SUMMARY"] = summary });
        // An experiment (--set) is served only when it is better, or with --serve.
        var second = await TrainAsync(repo, models, [.. model, "ARGS=--set seed=7 --serve"], "make-train-registry-2");
        try
        {
            File.ReadAllText(summary).Should().Contain($"### Model `{Model}` (binary): passed")
                .And.Contain($"| This run `{first.RunId}` |").And.Contain($"No champion is recorded in `champions/{Model}.json`");
            File.Exists(champion).Should().BeFalse("training alone records no champion");
            ServedVersion(models).Should().Be(second.Version, "make train serves the model it registered");
            second.Version.Should().NotBe(first.Version);
            string.CompareOrdinal(second.Version, first.Version).Should().BePositive("versions sort by time");

            var runs = await MakeAsync(repo, ["runs", .. model], "make-runs");
            var lines = runs.StandardOutput.Split('\n');
            var firstLine = Array.FindIndex(lines, l => l.StartsWith(first.RunId, StringComparison.Ordinal));
            var secondLine = Array.FindIndex(lines, l => l.StartsWith(second.RunId, StringComparison.Ordinal));
            secondLine.Should().BeGreaterThan(0, "make runs lists the second run: " + runs);
            firstLine.Should().BeGreaterThan(secondLine, "make runs lists the newest run first: " + runs);
            lines[firstLine].Should().MatchRegex($@"\bsdca\s+42\s+0\.\d{{4}}\s+0\.\d{{4}}\s+passed\s+{Regex.Escape(first.Version)}$");
            lines[secondLine].Should().MatchRegex($@"\bsdca\s+7\s+0\.\d{{4}}\s+0\.\d{{4}}\s+passed\s+{Regex.Escape(second.Version)}$");
            output.WriteLine($"----- run record models/{Model}/runs/{second.RunId}.json -----");
            output.WriteLine(await File.ReadAllTextAsync(Path.Combine(models, "runs", second.RunId + ".json")));

            var compare = await MakeAsync(repo, ["runs-compare", .. model, $"A={first.RunId}", $"B={second.RunId}"], "make-runs-compare");
            compare.Output.Should().MatchRegex(@"(?m)^\s+seed\s+42\s+7\s+-35\s*$", "the seed is the parameter that differs");
            compare.Output.Should().MatchRegex(@"(?m)^\s+auc\s+0\.\d{4}\s+0\.\d{4}\s+[+-]0\.\d+\s*$", "the AUC moved with the split");

            if (several)
            {
                // With several models, a command that works on one model must be told which.
                var unnamed = await Make.RunAsync(repo.Root, ["promote", $"VERSION={first.Version}"], repo.Log("make-promote-no-model"));
                output.WriteLine($"$ make promote VERSION={first.Version}   (exit code {unnamed.ExitCode})");
                output.WriteLine(unnamed.Output.TrimEnd());
                unnamed.Succeeded.Should().BeFalse("promote without MODEL is ambiguous in a repo with several models");
                unnamed.Output.Should().Contain("--model", "the refusal says how to name the model: " + unnamed);
                foreach (var name in names)
                {
                    unnamed.Output.Should().Contain(name, "the refusal lists the models: " + unnamed);
                }

                AssertServes(models, second.Version);
            }

            var promote = await MakeAsync(repo, ["promote", .. model, $"VERSION={first.Version}"], "make-promote");
            promote.Output.Should().Contain($"Was serving: {second.Version}").And.Contain($"Now serving: {first.Version}")
                .And.Contain($"Recorded as the champion in champions/{Model}.json");
            AssertServes(models, first.Version);
            ChampionVersion(champion).Should().Be(first.Version, "make promote records the champion in a file the team commits");

            var rollback = await MakeAsync(repo, ["rollback", .. model], "make-rollback");
            rollback.Output.Should().Contain($"Was serving: {first.Version}").And.Contain($"Now serving: {second.Version}");
            AssertServes(models, second.Version);
            ChampionVersion(champion).Should().Be(second.Version);

            var history = (await File.ReadAllLinesAsync(Path.Combine(models, "registry", "promotions.jsonl"))).TakeLast(4)
                .Select(l => JsonNode.Parse(l)!).Select(e => ((string)e["action"]!, (string)e["version"]!));
            history.Should().Equal(("train", first.Version), ("train", second.Version), ("promote", first.Version), ("rollback", second.Version));

            var unknown = await Make.RunAsync(repo.Root, ["promote", .. model, "VERSION=19990101.000000.0000"], repo.Log("make-promote-unknown"));
            output.WriteLine($"$ make promote {string.Join(' ', model)} VERSION=19990101.000000.0000   (exit code {unknown.ExitCode})");
            output.WriteLine(unknown.Output.TrimEnd());
            unknown.Succeeded.Should().BeFalse();
            unknown.Output.Should().Contain("'19990101.000000.0000' is not registered").And.Contain("nothing changed");
            AssertServes(models, second.Version);

            foreach (var (name, state) in others)
            {
                FolderState(RepoModels.Folder(RepoModels.ModelsDirectory(repo.Root), name)).Should().Equal(
                    state, $"training, promoting and rolling back {Model} leave models/{name}/ alone");
            }
        }
        finally
        {
            // Leave the shared repo serving the model of params/churn.yaml, as a plain make train would, so that
            // later tests retraining it are not measured against the seed-7 model.
            // Nor against a champion: a fresh repo has none.
            (await Make.RunAsync(repo.Root, ["promote", .. model, $"VERSION={first.Version}"], repo.Log("make-promote-restore"))).EnsureSuccess();
            File.Delete(champion);
        }
    }

    [Fact]
    public async Task The_image_serves_the_promoted_pair_and_leaves_registry_and_runs_in_the_build()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var dockerfile = DockerfileModel.Load(Path.Combine(tree.Root, "Dockerfile"));

        var train = dockerfile.Stages.Should().ContainSingle(s => s.All("RUN").Any(r => r.Arguments.Contains(".Training", StringComparison.Ordinal))).Subject;
        var run = train.All("RUN").Select(r => r.Arguments).Should().ContainSingle(r => r.Contains(".Training", StringComparison.Ordinal)).Subject;
        run.Should().Contain("-- train --all", "the image trains every model of the repository");
        run.Should().Contain("model.zip").And.Contain("manifest.json", "only the served pair of each model is gathered for the runtime stage");
        run.Should().NotContain("registry").And.NotContain("runs", "registry and run records stay in the build stage");
        var copy = dockerfile.Final.All("COPY").Should().ContainSingle(c => c.Arguments.Contains("models", StringComparison.Ordinal)).Subject;
        var (flags, sources) = copy.SplitFlags();
        flags["from"].Should().Be(train.Name);
        var words = DockerWords.Split(sources, null);
        words[^1].Should().Be("./models/", "the models land in models/<name>/ under the WORKDIR, where Model:Directory points by default");
        // What the copied folder holds is checked by replaying the build (ContainerTests): models/<name>/{model.zip,manifest.json} only.
        words.Should().HaveCount(2).And.NotContain(w => w.Contains("registry", StringComparison.Ordinal) || w.Contains("runs", StringComparison.Ordinal));
    }

    private async Task<(string RunId, string Version)> TrainAsync(
        GeneratedRepo repo, string models, string[] variables, string log, Dictionary<string, string?>? environment = null)
    {
        var runsFolder = Path.Combine(models, "runs");
        var before = Directory.Exists(runsFolder) ? Directory.GetFiles(runsFolder).ToHashSet() : [];

        var train = await MakeAsync(repo, ["train", .. variables], log, environment);

        var record = Directory.GetFiles(runsFolder).Except(before).Should().ContainSingle("make train records one run: " + train).Subject;
        var run = JsonNode.Parse(await File.ReadAllTextAsync(record))!;
        ((string)run["status"]!).Should().Be("passed", train.ToString());
        return ((string)run["run_id"]!, (string)run["registered_version"]!);
    }

    private async Task<ProcessResult> MakeAsync(GeneratedRepo repo, string[] arguments, string log, Dictionary<string, string?>? environment = null)
    {
        var result = await Make.RunAsync(repo.Root, arguments, repo.Log(log), environment: environment);
        output.WriteLine($"$ make {string.Join(' ', arguments)}");
        output.WriteLine(result.Output.TrimEnd());
        output.WriteLine(string.Empty);
        return result.EnsureSuccess();
    }

    /// <summary>Every file under <paramref name="folder"/> with its length and last write time (empty when absent).</summary>
    private static List<string> FolderState(string folder) =>
        Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => $"{Path.GetRelativePath(folder, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}")]
            : [];

    private static string ChampionVersion(string path) => (string)JsonNode.Parse(File.ReadAllText(path))!["version"]!;

    private static string ServedVersion(string models) =>
        (string)JsonNode.Parse(File.ReadAllText(Path.Combine(models, "manifest.json")))!["version"]!;

    private static void AssertServes(string models, string version)
    {
        ServedVersion(models).Should().Be(version);
        File.ReadAllBytes(Path.Combine(models, "model.zip")).Should().Equal(
            File.ReadAllBytes(Path.Combine(models, "registry", version, "model.zip")), $"{models}/model.zip must be the registered {version}");
        File.Exists(Path.Combine(models, "model.zip.tmp")).Should().BeFalse();
        File.Exists(Path.Combine(models, "manifest.json.tmp")).Should().BeFalse();
    }
}
