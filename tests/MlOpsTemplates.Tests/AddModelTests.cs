using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>
/// `make add-model` and the `mlmodel` item template: a model is added as exactly its six files, named after it,
/// with the addition recorded; bad use is refused with a clear message, a non-zero exit code and the repo
/// byte-for-byte unchanged.
/// </summary>
public sealed class AddModelTests
{
    private static readonly string[] s_samples = ["churn:binary", "plan:multiclass", "demand:regression"];

    public static TheoryData<string, string, string, string> Refusals() => new()
    {
        // case id, NAME, TASK, what the message must say
        { "capital-letter", "Fraud", "binary", "'Fraud' is not a valid model name" },
        { "digit-first", "2fraud", "binary", "'2fraud' is not a valid model name" },
        { "one-letter", "f", "binary", "'f' is not a valid model name" },
        { "dash", "fr-aud", "binary", "'fr-aud' is not a valid model name" },
        { "too-long", new string('a', 31), "binary", "is not a valid model name" },
        { "no-name", string.Empty, "binary", "give the model's name" },
        { "name-of-the-first-model", "churn", "regression", "the name 'churn' is taken" },
        { "unknown-task", "fraud", "ranking", "unknown task 'ranking': use one of binary, multiclass, regression" },
        { "no-task", "fraud", string.Empty, "unknown task ''" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Bad_use_is_refused_clearly_and_changes_nothing(string caseId, string name, string task, string message)
    {
        var package = await TemplatePackage.GetAsync();
        var root = await CopyOfAsync("defaults", $"refuse-{caseId}");

        await AssertRefusedAsync(root, AddModelRunner.RunMakeAsync(package.Hive, root, ["add-model", $"NAME={name}", $"TASK={task}"], Path.Combine(root, "..", "make.log")), message);
    }

    [Fact]
    public async Task A_name_taken_by_an_added_model_is_refused_and_changes_nothing()
    {
        var package = await TemplatePackage.GetAsync();
        var root = await CopyOfAsync("two-added-models", "refuse-added-name");

        await AssertRefusedAsync(root, AddModelRunner.RunMakeAsync(package.Hive, root, ["add-model", "NAME=segment", "TASK=binary"], Path.Combine(root, "..", "make.log")), "the name 'segment' is taken");
    }

    [Fact]
    public async Task Outside_a_generated_repo_it_is_refused_and_changes_nothing()
    {
        var package = await TemplatePackage.GetAsync();
        var root = await CopyOfAsync("defaults", "refuse-not-generated");
        File.Delete(Path.Combine(root, ".mlopstemplates.json"));

        await AssertRefusedAsync(
            root,
            AddModelRunner.RunMakeAsync(package.Hive, root, ["add-model", "NAME=fraud", "TASK=binary"], Path.Combine(root, "..", "make.log")),
            ".mlopstemplates.json is missing");
    }

    [Fact]
    public async Task Without_the_mlmodel_template_it_says_how_to_install_the_recorded_version_and_changes_nothing()
    {
        var root = await CopyOfAsync("defaults", "refuse-not-installed");
        var emptyHive = Path.Combine(root, "..", "empty-hive");
        Directory.CreateDirectory(emptyHive);
        var package = await TemplatePackage.GetAsync();
        var version = Path.GetFileNameWithoutExtension(package.PackagePath)["MlOpsTemplates.".Length..];

        await AssertRefusedAsync(
            root,
            AddModelRunner.RunMakeAsync(Path.GetFullPath(emptyHive), root, ["add-model", "NAME=fraud", "TASK=binary"], Path.Combine(root, "..", "make.log")),
            $"dotnet new install MlOpsTemplates::{version}");
    }

    [Fact]
    public async Task The_item_template_refuses_an_invalid_name_itself_and_writes_nothing()
    {
        var package = await TemplatePackage.GetAsync();
        var root = await CopyOfAsync("defaults", "mlmodel-invalid-name");
        var before = Hashes(root);

        var result = await package.NewAsync(root, ["mlmodel", "-n", "Fraud", "--task", "binary", "--repo", "Acme.Churn", "-o", "."], Path.Combine(root, "..", "new.log"));

        result.Succeeded.Should().BeFalse($"an invalid model name must fail:{Environment.NewLine}{result}");
        result.Output.Should().Contain("must be one lowercase word");
        Hashes(root).Should().BeEquivalentTo(before, "a refused name must leave the repo byte-for-byte unchanged");
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("multiclass")]
    [InlineData("regression")]
    public async Task The_item_template_writes_exactly_the_six_files_of_the_model_and_nothing_on_stderr(string task)
    {
        var package = await TemplatePackage.GetAsync();
        var root = await CopyOfAsync("defaults", $"mlmodel-{task}");
        var before = Hashes(root);

        (await package.NewAsync(root, ["mlmodel", "-n", "fraud", "--task", task, "--repo", "Acme.Churn", "-o", "."], Path.Combine(root, "..", "new.log"))).EnsureCleanSuccess();

        var after = Hashes(root);
        after.Where(f => !before.ContainsKey(f.Key)).Select(f => f.Key).Should().BeEquivalentTo(ModelFiles("Acme.Churn", "fraud"));
        after.Where(f => before.ContainsKey(f.Key)).Should().BeEquivalentTo(before, "no existing file may change");
        AssertNoTraceOfTheSample(root, "Acme.Churn", "fraud", task);
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithAddedModelsIds), MemberType = typeof(Scenarios))]
    public async Task Added_models_are_their_six_files_recorded_in_order_without_trace_of_the_sample(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var record = await File.ReadAllTextAsync(Path.Combine(tree.Root, ".mlopstemplates.json"));
        var trainer = tree.Scenario.OptionValue("--trainer", "-t") ?? "sdca";

        var recorded = System.Text.Json.JsonDocument.Parse(record).RootElement.GetProperty("additions").EnumerateArray().ToArray();
        recorded.Should().HaveCount(tree.Scenario.Additions.Count);
        foreach (var (model, entry) in tree.Scenario.Additions.Zip(recorded))
        {
            tree.Files.Should().Contain(ModelFiles(tree.Scenario.Name, model.Name));
            entry.GetProperty("template").GetString().Should().Be("mlmodel");
            entry.GetProperty("name").GetString().Should().Be(model.Name);
            entry.GetProperty("output").GetString().Should().Be(".");
            var options = entry.GetProperty("options");
            options.GetProperty("task").GetString().Should().Be(model.Task);
            options.GetProperty("repo").GetString().Should().Be(tree.Scenario.Name);
            options.GetProperty("trainer").GetString().Should().Be(trainer);
            AssertNoTraceOfTheSample(tree.Root, tree.Scenario.Name, model.Name, model.Task);
            (await File.ReadAllTextAsync(Path.Combine(tree.Root, "params", $"{model.Name}.yaml"))).Should().Contain($"trainer: {trainer}");
        }

        tree.Instantiation.Output.Should().Contain($"make train MODEL={tree.Scenario.Additions[^1].Name}", "make add-model prints the next steps");
    }

    /// <summary>The six files of a model, as the layout names them.</summary>
    public static IReadOnlyList<string> ModelFiles(string repo, string model)
    {
        var prefix = char.ToUpperInvariant(model[0]) + model[1..];
        return
        [
            $"src/{repo}.Model/Models/{prefix}Model.cs",
            $"data/{model}.csv",
            $"params/{model}.yaml",
            $"docs/models/{model}.md",
            $"docs/examples/{model}.json",
            $"tests/{repo}.Tests/Models/{prefix}ModelTests.cs",
        ];
    }

    /// <summary>The copied files name the new model only: the sample's name is gone (but for the label column churned).</summary>
    private static void AssertNoTraceOfTheSample(string root, string repo, string model, string task)
    {
        var sample = s_samples.Select(s => s.Split(':')).Single(s => s[1] == task)[0];
        var samplePrefix = char.ToUpperInvariant(sample[0]) + sample[1..];
        var trace = new Regex($@"(?<![A-Za-z]){sample}(?![a-z])|(?<![A-Za-z]){samplePrefix}(?![a-z])");
        foreach (var file in ModelFiles(repo, model))
        {
            var text = File.ReadAllText(Path.Combine(root, file)).Replace($"{repo}", string.Empty, StringComparison.Ordinal);
            trace.Matches(text).Select(m => m.Value).Should().BeEmpty($"{file} must not name the sample model '{sample}' it was copied from");
            text.Should().NotContain("Ml-Service").And.NotContain("Ml_Service", $"{file} must name the repo, not the template's source name");
        }
    }

    private static async Task AssertRefusedAsync(string root, Task<ProcessResult> run, string message)
    {
        var before = Hashes(root);

        var result = await run;

        result.Succeeded.Should().BeFalse($"the refusal must exit non-zero:{Environment.NewLine}{result}");
        result.StandardError.Should().Contain(message, "the message must say what is wrong");
        result.StandardError.Should().Contain("Nothing was changed", "the message must say that nothing changed");
        Hashes(root).Should().BeEquivalentTo(before, "a refusal must leave the repo byte-for-byte unchanged");
    }

    /// <summary>A fresh copy of a scenario's generated tree, to change without touching the shared one.</summary>
    private static async Task<string> CopyOfAsync(string scenarioId, string purpose)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var root = Path.Combine(TestRun.ScenarioFolder("add-model", purpose), "repo");
        foreach (var file in tree.Files)
        {
            var target = Path.Combine(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(tree.Root, file), target);
        }

        return root;
    }

    private static Dictionary<string, string> Hashes(string root) =>
        FileTree.RelativeFiles(root).ToDictionary(f => f, f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(root, f)))));
}
