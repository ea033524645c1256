using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>The whole generated tree of each scenario equals its committed snapshot.</summary>
public sealed class SnapshotTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Generated_tree_matches_committed_snapshot(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        output.WriteLine($"dotnet new took {tree.Instantiation.Duration.TotalSeconds:F1} s; output in {tree.Root}");

        var generated = SnapshotFiles.ReadGenerated(tree.Root);
        generated.Should().NotBeEmpty("the template must generate files");
        var comparison = SnapshotComparison.Compare(SnapshotFiles.ReadSnapshots(scenario.SnapshotFolder), generated);

        if (SnapshotFiles.UpdateRequested)
        {
            SnapshotFiles.Write(scenario.SnapshotFolder, generated);
            output.WriteLine(comparison.IsMatch
                ? $"UPDATE_SNAPSHOTS: {scenario.Id} unchanged."
                : $"UPDATE_SNAPSHOTS: rewrote {scenario.SnapshotFolder}{Environment.NewLine}{comparison.Describe(scenario.SnapshotFolder, tree.Root)}");
            return;
        }

        comparison.IsMatch.Should().BeTrue(comparison.Describe(scenario.SnapshotFolder, tree.Root));
    }
}
