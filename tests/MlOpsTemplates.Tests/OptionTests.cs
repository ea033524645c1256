using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>Options are documented, every value is exercised, invalid values fail clearly.</summary>
public sealed class OptionTests
{
    private const string Template = Scenarios.MlService;

    [Fact]
    public async Task Invalid_trainer_fails_naming_the_option_and_creates_nothing()
    {
        var package = await TemplatePackage.GetAsync();
        var folder = TestRun.ScenarioFolder("options", "invalid-trainer");
        var output = Path.Combine(folder, "out");

        var result = await package.NewAsync(folder, [Template, "-n", "Acme.Churn", "-o", output, "--trainer", "bogus", "--no-restore"], Path.Combine(folder, "new.log"));

        result.Succeeded.Should().BeFalse($"an invalid choice must fail:{Environment.NewLine}{result}");
        result.Output.Should().Contain("bogus", "the error must name the invalid value").And.Contain("trainer", "the error must name the option");
        foreach (var choice in TemplateDefinition.Load(Template).Choices("Trainer"))
        {
            result.Output.Should().Contain(choice, "the error must list the valid choices");
        }

        (Directory.Exists(output) ? FileTree.RelativeFiles(output) : []).Should().BeEmpty("a failed instantiation must not create files");
    }

    [Fact]
    public async Task Generating_over_an_existing_repo_is_refused_and_changes_nothing()
    {
        var package = await TemplatePackage.GetAsync();
        var folder = TestRun.ScenarioFolder("options", "existing-repo");
        var output = Path.Combine(folder, "out");
        string[] args = [Template, "-n", "Acme.Churn", "-o", output, "--no-restore"];
        (await package.NewAsync(folder, args, Path.Combine(folder, "new-1.log"))).EnsureCleanSuccess();
        var readme = Path.Combine(output, "README.md");
        File.WriteAllText(readme, "work in progress\n");

        var again = await package.NewAsync(folder, args, Path.Combine(folder, "new-2.log"));

        again.Succeeded.Should().BeFalse($"generating over existing files without --force must fail:{Environment.NewLine}{again}");
        again.Output.Should().Contain("README.md", "the error must name the files that would be overwritten");
        File.ReadAllText(readme).Should().Be("work in progress\n", "the user's work must be kept");
    }

    [Fact]
    public async Task Help_describes_every_option_on_its_line()
    {
        var package = await TemplatePackage.GetAsync();
        var folder = TestRun.ScenarioFolder("options", "help");

        var help = (await package.NewAsync(folder, [Template, "--help"], Path.Combine(folder, "help.log"))).EnsureCleanSuccess();

        help.Output.Should().Contain("-t, --trainer", "the trainer option has the short name -t");
        foreach (var option in new[] { "--trainer", "--task", "--ci", "--deploy", "--dvc-remote", "--auth", "--database", "--owner", "--registry", "--no-restore" })
        {
            // "  -t, --trainer <fasttree|lightgbm|sdca>  Description..." : the option, its value, then text.
            var line = new Regex($@"^\s*(-\w, )?{Regex.Escape(option)}(\s+<[^>]*>)?\s{{2,}}\S.*$", RegexOptions.Multiline);
            line.IsMatch(help.Output).Should().BeTrue($"help must list {option} with a one-line description:{Environment.NewLine}{help}");
        }
    }

    [Fact]
    public async Task No_restore_skips_the_restore_post_action()
    {
        // The execution test of a RestoreByPostAction scenario proves the opposite: without the option, restore runs.
        Scenarios.All.Should().Contain(s => s.RestoreByPostAction, "one scenario must exercise the restore post-action");
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));

        tree.Instantiation.Output.Should().NotContain("Restoring", $"--no-restore must skip restore:{Environment.NewLine}{tree.Instantiation}");
        tree.Files.Should().NotContain(f => f.Contains("/obj/", StringComparison.Ordinal) || f.StartsWith("obj/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Trainer", "--trainer", "-t")]
    [InlineData("Task", "--task", null)]
    [InlineData("Ci", "--ci", null)]
    [InlineData("Deploy", "--deploy", null)]
    [InlineData("DvcRemote", "--dvc-remote", null)]
    [InlineData("Auth", "--auth", null)]
    [InlineData("Database", "--database", null)]
    public void Every_choice_is_exercised_by_a_scenario(string symbol, string longName, string? shortName)
    {
        var definition = TemplateDefinition.Load(Template);
        var exercised = Scenarios.All
            .Where(s => s.TemplateShortName == Template)
            .Select(s => s.OptionValue(longName, shortName) ?? definition.DefaultValue(symbol))
            .ToHashSet(StringComparer.Ordinal);

        exercised.Should().BeEquivalentTo(definition.Choices(symbol), $"each {longName} value must be generated, built and tested");
    }

    [Fact]
    public void Every_trainer_is_trained_and_served_end_to_end()
    {
        var definition = TemplateDefinition.Load(Template);
        Scenarios.Trainers.Select(s => s.OptionValue("--trainer", "-t") ?? definition.DefaultValue("Trainer"))
            .Should().BeEquivalentTo(definition.Choices("Trainer"), "each trainer must be trained and served end to end");
    }

    [Theory]
    [InlineData("--owner")]
    [InlineData("--registry")]
    public void Text_options_are_exercised_with_a_value_other_than_the_default(string option) =>
        Scenarios.All.Should().Contain(s => s.OptionValue(option) != null, $"{option} must be generated with a real value by some scenario");

    [Theory]
    [InlineData("--ci", "gitlab")]
    [InlineData("--deploy", "helm")]
    [InlineData("--dvc-remote", "ftp")]
    [InlineData("--auth", "oauth")]
    [InlineData("--database", "mysql")]
    [InlineData("--task", "ranking")]
    public async Task Invalid_choices_fail_naming_the_option_and_create_nothing(string option, string value)
    {
        var package = await TemplatePackage.GetAsync();
        var folder = TestRun.ScenarioFolder("options", $"invalid{option}");
        var output = Path.Combine(folder, "out");

        var result = await package.NewAsync(folder, [Template, "-n", "Acme.Churn", "-o", output, option, value, "--no-restore"], Path.Combine(folder, "new.log"));

        result.Succeeded.Should().BeFalse($"an invalid choice must fail:{Environment.NewLine}{result}");
        result.Output.Should().Contain(value).And.Contain(option.TrimStart('-'));
        (Directory.Exists(output) ? FileTree.RelativeFiles(output) : []).Should().BeEmpty("a failed instantiation must not create files");
    }
}
