using System.Text;
using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>The harness itself: the checks every other test relies on catch what they promise to catch.</summary>
public sealed class HarnessTests
{
    [Fact]
    public async Task A_command_that_exits_zero_but_writes_to_standard_error_is_a_failure()
    {
        var folder = TestRun.ScenarioFolder("harness", "stderr");
        var quiet = await ProcessRunner.RunAsync(new ProcessSpec("bash", ["-c", "echo generated"], folder), TimeSpan.FromSeconds(30));
        var noisy = await ProcessRunner.RunAsync(new ProcessSpec("bash", ["-c", "echo generated; echo 'Warning: post-action skipped' >&2"], folder), TimeSpan.FromSeconds(30));

        quiet.Invoking(r => r.EnsureCleanSuccess()).Should().NotThrow();
        noisy.ExitCode.Should().Be(0);
        noisy.Invoking(r => r.EnsureCleanSuccess()).Should().Throw<ProcessFailedException>()
            .WithMessage("*standard error*post-action skipped*");
    }

    [Fact]
    public void Sample_data_and_binary_files_are_snapshotted_as_a_hash_and_a_change_of_one_byte_is_caught()
    {
        SnapshotFiles.IsComparedByHash("data/churn.csv").Should().BeTrue();
        SnapshotFiles.IsComparedByHash("scripts/docs/favicon.png").Should().BeTrue();
        SnapshotFiles.IsComparedByHash("docs/MONITORING.md").Should().BeFalse("reviewable text is compared line by line");

        var data = Encoding.UTF8.GetBytes("tenure,churned\n12,true\n");
        var changed = Encoding.UTF8.GetBytes("tenure,churned\n13,true\n");
        var record = SnapshotFiles.HashRecord(data);

        Encoding.UTF8.GetString(record).Should().MatchRegex("^sha256 [0-9a-f]{64}, 23 bytes\n$");
        SnapshotFiles.HashRecord(changed).Should().NotEqual(record);
        SnapshotComparison.Compare(
                new Dictionary<string, byte[]?> { ["data/churn.csv"] = record },
                new Dictionary<string, byte[]> { ["data/churn.csv"] = SnapshotFiles.HashRecord(changed) })
            .Changed.Should().ContainSingle(c => c.Path == "data/churn.csv");
    }

    [Fact]
    public void Committed_snapshots_hold_no_copy_of_the_sample_data()
    {
        var copies = Directory.EnumerateFiles(RepoPaths.Snapshots, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoPaths.Snapshots, f).Replace('\\', '/'))
            .Where(f => f.Contains("/data/", StringComparison.Ordinal) && f.EndsWith(SnapshotFiles.Suffix, StringComparison.Ordinal))
            .ToArray();

        copies.Should().BeEmpty("data files are compared by hash; a .snap copy would be a stale duplicate");
    }
}
