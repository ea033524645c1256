using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated CI decides its jobs from the changed paths (scripts/ci/changed-areas.sh). Fed real paths of
/// the generated repo, it selects exactly the jobs its README and workflow promise.
/// </summary>
public sealed class ChangeDetectionTests
{
    private const string All = "*";

    public static TheoryData<string, string, string> Changes()
    {
        // scenario, changed paths ({name} = the -n value; ',' separates paths), expected areas ('*' = every area)
        var data = new TheoryData<string, string, string>();
        // scenario, the Pascal-cased and lower-case name of its model
        foreach (var (scenario, model) in new[] { ("defaults", "churn"), ("name-odd", "churn"), ("trainer-lightgbm", "churn"), ("task-multiclass", "plan"), ("task-regression", "demand") })
        {
            var prefix = char.ToUpperInvariant(model[0]) + model[1..];
            data.Add(scenario, "docs/ARCHITECTURE.md,README.md,CONTRIBUTING.md", "docs");
            data.Add(scenario, $"data/{model}.csv", "build train image");
            data.Add(scenario, $"params/{model}.yaml", "build train image");
            data.Add(scenario, $"src/{{name}}.Model/Models/{prefix}Model.cs", "build train image docs");
            data.Add(scenario, $"tests/{{name}}.Tests/Models/{prefix}ModelTests.cs", "build train image");
            data.Add(scenario, $"docs/models/{model}.md", "docs");
            data.Add(scenario, $"docs/examples/{model}.json", "build docs");
            data.Add(scenario, "dvc.yaml", "train");
            data.Add(scenario, "src/{name}.Model/{name}.Model.csproj", "build train image docs");
            data.Add(scenario, "src/{name}.Training/Program.cs", "build train image docs");
            data.Add(scenario, "src/{name}.Api/Program.cs", "build image docs");
            data.Add(scenario, "tests/{name}.Tests/{name}.Tests.csproj", "build");
            data.Add(scenario, "deploy/overlays/prod/kustomization.yaml", "build manifests");
            data.Add(scenario, "Dockerfile", "image");
            data.Add(scenario, "Directory.Packages.props", All);
            data.Add(scenario, "Makefile", All);
            data.Add(scenario, ".github/workflows/ci.yml", All);
            data.Add(scenario, "docs/ARCHITECTURE.md,src/{name}.Api/Program.cs", "build image docs");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Changed_paths_select_the_jobs_they_need(string scenarioId, string paths, string expected)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var changed = paths.Replace("{name}", tree.Scenario.Name, StringComparison.Ordinal).Split(',');
        foreach (var path in changed)
        {
            File.Exists(Path.Combine(tree.Root, path)).Should().BeTrue($"the sample path '{path}' must exist in the generated repo, or the test proves nothing");
        }

        var areas = await RunAsync(tree.Root, changed);

        var allAreas = areas.Keys.ToArray();
        allAreas.Should().BeEquivalentTo(["build", "train", "image", "manifests", "docs"], "the workflow has one job per area");
        var selected = areas.Where(a => a.Value).Select(a => a.Key);
        selected.Should().BeEquivalentTo(expected == All ? allAreas : expected.Split(' '), $"changing {paths}");
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithGitHubCiIds), MemberType = typeof(Scenarios))]
    public async Task No_paths_an_unknown_path_and_all_select_every_job(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));

        foreach (var areas in new[] { await RunAsync(tree.Root, []), await RunAsync(tree.Root, ["some/new/folder/file.txt"]), await RunAsync(tree.Root, [], "--all") })
        {
            areas.Values.Should().AllSatisfy(selected => selected.Should().BeTrue(), "an empty or unknown change must run every job");
        }
    }

    [Fact]
    public async Task Without_kubernetes_there_is_no_manifests_area()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.GitHubCiWithoutKubernetes);

        var areas = await RunAsync(tree.Root, ["Dockerfile"]);

        areas.Keys.Should().BeEquivalentTo(["build", "train", "image", "docs"]);
    }

    /// <summary>Runs the generated script with <paramref name="paths"/> on stdin; returns area -> selected.</summary>
    private static async Task<IReadOnlyDictionary<string, bool>> RunAsync(string root, IReadOnlyList<string> paths, params string[] arguments)
    {
        var input = Path.Combine(root, "..", $"changed-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(input, paths);
        var result = (await ProcessRunner.RunAsync(
            new ProcessSpec("bash", ["-c", $"bash scripts/ci/changed-areas.sh {string.Join(' ', arguments)} < \"$1\"", "changed-areas", input], root),
            TimeSpan.FromSeconds(30))).EnsureSuccess();
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith("models=", StringComparison.Ordinal))
            .Select(line => line.Split('='))
            .ToDictionary(p => p[0], p => p[1] switch
            {
                "true" => true,
                "false" => false,
                _ => throw new FormatException($"'{string.Join('=', p)}' is not area=true|false:{Environment.NewLine}{result}"),
            });
    }
}
