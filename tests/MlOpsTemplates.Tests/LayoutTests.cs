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
                "README.md", "dvc.yaml", "docs/openapi.json",
            ],
            $"the generated repo at {tree.Root} must follow the golden-path layout");
        tree.Files.Should().NotContain(f => f.StartsWith("models/", StringComparison.Ordinal), "trained models are never generated");
        tree.Files.Should().NotContain(["params.yaml", "docs/MODEL_CARD.md", "docs/examples/predict-request.json"], "every model has its own parameters, card and example");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Generated_repo_has_the_six_files_of_each_of_its_models_and_no_other_model(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var task = scenario.OptionValue("--task") ?? TemplateDefinition.Load(scenario.TemplateShortName).DefaultValue("Task");
        var models = scenario.Additions.Select(m => m.Name).Prepend(s_sampleOfTask[task]).ToArray();

        foreach (var model in models)
        {
            tree.Files.Should().Contain(AddModelTests.ModelFiles(scenario.Name, model), $"the model '{model}' has its definition, data, parameters, card, example and tests");
        }

        // Every file of a model is one of the six of a model this repo has: no other sample model is left over.
        string[] perModelFolders = ["data/", "params/", "docs/models/", "docs/examples/", $"src/{scenario.Name}.Model/Models/", $"tests/{scenario.Name}.Tests/Models/"];
        var expected = models.SelectMany(m => AddModelTests.ModelFiles(scenario.Name, m)).ToHashSet(StringComparer.Ordinal);
        tree.Files.Where(f => perModelFolders.Any(folder => f.StartsWith(folder, StringComparison.Ordinal)) && !f.EndsWith(".dvc", StringComparison.Ordinal))
            .Should().BeSubsetOf(expected, $"the repo keeps only the models {string.Join(", ", models)}");
    }

    private static readonly Dictionary<string, string> s_sampleOfTask = new(StringComparer.Ordinal)
    {
        ["binary"] = "churn",
        ["multiclass"] = "plan",
        ["regression"] = "demand",
    };

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Generated_repo_treats_warnings_as_errors(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        File.ReadAllText(Path.Combine(tree.Root, "Directory.Build.props"))
            .Should().Contain("<TreatWarningsAsErrors>true</TreatWarningsAsErrors>");
    }
}
