using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated tree of each scenario equals its committed snapshot: the baseline's (defaults) file by file, every
/// other scenario's as its file list plus what differs from the baseline (see <see cref="SnapshotFiles"/>).
/// </summary>
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
        var baseline = Scenarios.Get(SnapshotFiles.BaselineId);
        var comparison = SnapshotComparison.Compare(
            SnapshotFiles.ReadExpected(scenario, SnapshotFiles.ReadSnapshots(baseline.SnapshotFolder)), generated);

        if (SnapshotFiles.UpdateRequested)
        {
            // Against the baseline as generated now: it is rewritten in the same run.
            SnapshotFiles.Write(scenario, generated, SnapshotFiles.ReadGenerated((await GeneratedTree.GetAsync(baseline)).Root));
            output.WriteLine(comparison.IsMatch
                ? $"UPDATE_SNAPSHOTS: {scenario.Id} unchanged."
                : $"UPDATE_SNAPSHOTS: rewrote {scenario.SnapshotFolder}{Environment.NewLine}{comparison.Describe(scenario.SnapshotFolder, tree.Root)}");
            return;
        }

        comparison.IsMatch.Should().BeTrue(comparison.Describe(scenario.SnapshotFolder, tree.Root));
    }

    [Fact]
    public void Only_the_baseline_snapshot_is_complete_and_the_others_hold_what_differs_from_it()
    {
        var baseline = SnapshotFiles.ReadSnapshots(Scenarios.Get(SnapshotFiles.BaselineId).SnapshotFolder);
        baseline.Should().NotBeEmpty();
        foreach (var scenario in Scenarios.All.Where(s => s.Id != SnapshotFiles.BaselineId))
        {
            var own = SnapshotFiles.ReadSnapshots(scenario.SnapshotFolder);
            File.Exists(Path.Combine(scenario.SnapshotFolder, SnapshotFiles.FileList)).Should().BeTrue($"{scenario.Id} lists its files");
            own.Where(f => baseline.TryGetValue(f.Key, out var same) && same.AsSpan().SequenceEqual(f.Value)).Select(f => f.Key)
                .Should().BeEmpty($"{scenario.Id} keeps no copy of a baseline file");
            if (SnapshotFiles.IsListOnly(scenario))
            {
                own.Should().BeEmpty($"{scenario.Id} differs by name only and keeps its list alone");
            }
        }
    }
}
