using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The change detector's `models=` line, fed real paths of a repo with added models: a change to one model's
/// own files retrains that model only; shared code retrains every model; prose retrains none.
/// </summary>
public sealed class ModelChangeDetectionTests
{
    // Written by make promote, so not in a fresh repo: the one folder whose sample paths need not exist.
    private const string ChampionsFolder = "champions";

    public static TheoryData<string, string> Changes() => new()
    {
        // changed paths ({name} = the -n value; ',' separates paths), models expected in the train matrix
        { "data/fraud.csv", "fraud" },
        { "params/segment.yaml", "segment" },
        { "src/{name}.Model/Models/FraudModel.cs", "fraud" },
        { "tests/{name}.Tests/Models/SegmentModelTests.cs", "segment" },
        { ChampionsFolder + "/fraud.json", "fraud" },
        { "data/churn.csv", "churn" },
        { "data/fraud.csv,params/segment.yaml", "fraud segment" },
        { "src/{name}.Training/Program.cs", "churn fraud segment" },
        { "Directory.Packages.props", "churn fraud segment" },
        { "data/fraud.csv,src/{name}.Training/Program.cs", "churn fraud segment" },
        { "docs/models/fraud.md", "" },
        { "docs/examples/fraud.json,README.md", "" },
        { "src/{name}.Api/Program.cs", "" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Changes_under_a_model_select_that_model_and_shared_code_selects_all(string paths, string expected)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("two-added-models"));
        var changed = paths.Replace("{name}", tree.Scenario.Name, StringComparison.Ordinal).Split(',');
        foreach (var path in changed.Where(p => !p.StartsWith(ChampionsFolder + "/", StringComparison.Ordinal)))
        {
            File.Exists(Path.Combine(tree.Root, path)).Should().BeTrue($"the sample path '{path}' must exist in the generated repo, or the test proves nothing");
        }

        var (train, models) = await RunAsync(tree.Root, changed);

        var expectedModels = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        models.Should().Equal(expectedModels, $"changing {paths} (the train job's matrix, in name order)");
        train.Should().Be(expectedModels.Length > 0, "the train job runs exactly when it has a model to train");
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithAddedModelsIds), MemberType = typeof(Scenarios))]
    public async Task All_lists_every_model_of_the_repo(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var every = tree.Files.Where(f => f.StartsWith("params/", StringComparison.Ordinal) && f.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(f => f["params/".Length..^".yaml".Length]).Order(StringComparer.Ordinal).ToArray();
        every.Should().HaveCount(1 + tree.Scenario.Additions.Count);

        (await RunAsync(tree.Root, [], "--all")).Models.Should().Equal(every);
        (await RunAsync(tree.Root, [])).Models.Should().Equal(every, "no path at all trains every model");
    }

    private static async Task<(bool Train, IReadOnlyList<string> Models)> RunAsync(string root, IReadOnlyList<string> paths, params string[] arguments)
    {
        var input = Path.Combine(root, "..", $"changed-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(input, paths);
        var result = (await ProcessRunner.RunAsync(
            new ProcessSpec("bash", ["-c", $"bash scripts/ci/changed-areas.sh {string.Join(' ', arguments)} < \"$1\"", "changed-areas", input], root),
            TimeSpan.FromSeconds(30))).EnsureSuccess();
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var models = lines.Should().ContainSingle(l => l.StartsWith("models=", StringComparison.Ordinal), $"one models= line:{Environment.NewLine}{result}").Subject;
        var array = System.Text.Json.JsonSerializer.Deserialize<string[]>(models["models=".Length..])!;
        return (lines.Contains("train=true"), array);
    }
}
