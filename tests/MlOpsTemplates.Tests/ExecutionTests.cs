using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// Each scenario restores, builds warning-free and passes its format check; each that behaves differently from the
/// others (all but the name scenarios, which only rename) also passes its own tests, as a new hire would run them.
/// </summary>
public sealed partial class ExecutionTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Scenarios.WithOwnBehaviourIds), MemberType = typeof(Scenarios))]
    public async Task Generated_repo_builds_and_its_tests_pass(string scenarioId)
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get(scenarioId));
        // What a new hire runs; the build is already done, so `dotnet test` only checks it is up to date.
        var test = await Make.RunAsync(repo.Root, "test", repo.Log("4-test"));
        Durations.Report(output, repo, ("make test", test.Duration));

        test.EnsureSuccess();
        TestsRan().IsMatch(test.Output).Should().BeTrue($"the generated repo must run at least one test:{Environment.NewLine}{test}");
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithOwnCodeIds), MemberType = typeof(Scenarios))]
    public async Task Generated_repo_passes_its_own_format_check(string scenarioId)
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get(scenarioId));
        var lint = await Make.RunAsync(repo.Root, "lint", repo.Log("4-lint"));
        Durations.Report(output, repo, ("make lint", lint.Duration));

        lint.EnsureSuccess();
    }

    [Fact]
    public async Task Scenarios_not_linted_have_the_csharp_of_defaults_byte_for_byte()
    {
        var defaults = CSharpOf((await GeneratedTree.GetAsync(Scenarios.Get("defaults"))).Root);
        foreach (var scenario in Scenarios.All.Except(Scenarios.WithOwnCode))
        {
            CSharpOf((await GeneratedTree.GetAsync(scenario)).Root).Should().Equal(
                defaults, $"{scenario.Id} is not linted on its own because its C# is that of defaults");
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithAddedModelsIds), MemberType = typeof(Scenarios))]
    public async Task The_tests_of_each_added_model_run_and_pass(string scenarioId)
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get(scenarioId));
        foreach (var model in repo.Scenario.Additions)
        {
            var prefix = char.ToUpperInvariant(model.Name[0]) + model.Name[1..];
            var filter = $"FullyQualifiedName~.Models.{prefix}ModelTests.";
            var test = await DotNetCli.RunAsync(repo.Root, ["test", "--no-build", "--filter", filter], repo.Log($"5-test-{model.Name}"));
            output.WriteLine($"[{scenarioId}] tests of {model.Name} ({model.Task}): {test.Duration.TotalSeconds:F1} s");

            test.EnsureSuccess();
            TestsRan().IsMatch(test.Output).Should().BeTrue($"the {prefix}ModelTests that make add-model wrote must be found and run:{Environment.NewLine}{test}");
        }
    }

    /// <summary>Every C# file of a generated tree, as its path and contents.</summary>
    private static Dictionary<string, string> CSharpOf(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(root, path), File.ReadAllText);

    // VSTest prints "Passed: 12", Microsoft.Testing.Platform "succeeded: 12".
    [GeneratedRegex(@"(Passed|succeeded):\s*[1-9]", RegexOptions.IgnoreCase)]
    private static partial Regex TestsRan();
}
