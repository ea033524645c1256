using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>Every shell script a generated repo ships, and every script of the pack itself, passes shellcheck.</summary>
public sealed class ShellScriptTests
{
    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Generated_shell_scripts_pass_shellcheck(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var scripts = tree.Files.Where(f => f.EndsWith(".sh", StringComparison.Ordinal)).ToArray();
        if (tree.Scenario.OptionValue("--ci") is null or "github")
        {
            scripts.Should().Contain("scripts/ci/changed-areas.sh");
        }

        if (scripts.Length > 0)
        {
            var result = await Validators.ShellcheckAsync(tree.Root, scripts);
            result.Succeeded.Should().BeTrue($"generated scripts must pass shellcheck:{Environment.NewLine}{result}");
        }
    }

    [Fact]
    public async Task The_packs_own_scripts_pass_shellcheck()
    {
        var scripts = Directory.GetFiles(Path.Combine(RepoPaths.Root, "build"), "*.sh").Append(Path.Combine(RepoPaths.Root, ".ci", "run")).ToArray();

        var result = await Validators.ShellcheckAsync(RepoPaths.Root, scripts);

        result.Succeeded.Should().BeTrue(result.ToString());
    }

    [Fact]
    public async Task Shellcheck_reports_a_broken_script()
    {
        var folder = TestRun.ScenarioFolder("shellcheck", "broken");
        await File.WriteAllTextAsync(Path.Combine(folder, "broken.sh"), "#!/usr/bin/env bash\nrm -rf $1/*\n");

        var result = await Validators.ShellcheckAsync(folder, ["broken.sh"]);

        result.Succeeded.Should().BeFalse("an unquoted variable in rm -rf must be reported");
        result.Output.Should().Contain("SC2086");
    }
}
