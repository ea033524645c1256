using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>Every scenario generates the golden-path layout, named after -n, whatever the snapshots say.</summary>
public sealed class LayoutTests
{
    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Generated_repo_has_the_golden_path_layout(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var name = scenario.Name;

        tree.Files.Should().Contain(
            [
                $"{name}.slnx",
                $"src/{name}.Api/{name}.Api.csproj",
                $"src/{name}.Model/{name}.Model.csproj",
                $"src/{name}.Training/{name}.Training.csproj",
                $"tests/{name}.Tests/{name}.Tests.csproj",
                "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", ".gitignore",
                "README.md", "params.yaml", "data/churn.csv", "docs/openapi.json", "docs/examples/predict-request.json",
            ],
            $"the generated repo at {tree.Root} must follow the golden-path layout");
        tree.Files.Should().NotContain(f => f.StartsWith("models/", StringComparison.Ordinal), "trained models are never generated");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Generated_repo_treats_warnings_as_errors(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        File.ReadAllText(Path.Combine(tree.Root, "Directory.Build.props"))
            .Should().Contain("<TreatWarningsAsErrors>true</TreatWarningsAsErrors>");
    }
}
