using System.Diagnostics;

namespace MlOps.Platform.Tests.Import;

/// <summary>An imported data file too large for git is git-ignored and tracked by the stub `dvc add` writes.</summary>
public class LargeDataTests
{
    [Fact]
    public void A_file_above_the_threshold_gets_a_dvc_stub_and_one_gitignore_entry_and_a_small_one_neither()
    {
        var folder = Directory.CreateTempSubdirectory("MlOps.Platform.Tests-large-").FullName;
        try
        {
            var large = Path.Combine(folder, "big.csv");
            var small = Path.Combine(folder, "small.csv");
            File.WriteAllText(large, "x,y\n" + string.Concat(Enumerable.Repeat("1.5,true\n", 300)));
            File.WriteAllText(small, "x,y\n1.5,true\n");
            File.WriteAllText(Path.Combine(folder, ".gitignore"), "/other.csv");

            var stub = LargeData.Track(large, thresholdBytes: 1024);
            LargeData.Track(large, thresholdBytes: 1024);

            stub.Should().Be(large + ".dvc");
            // Checked against md5sum, the digest DVC records.
            using var md5sum = Process.Start(new ProcessStartInfo("md5sum", [large]) { RedirectStandardOutput = true })!;
            var md5 = md5sum.StandardOutput.ReadToEnd().Split(' ')[0];
            md5sum.WaitForExit();
            File.ReadAllText(stub!).Should().Be($"outs:\n- md5: {md5}\n  size: {new FileInfo(large).Length}\n  hash: md5\n  path: big.csv\n");
            File.ReadAllText(Path.Combine(folder, ".gitignore")).Should().Be("/other.csv\n/big.csv\n", "the entry is added once, after what was there");

            LargeData.Track(small, thresholdBytes: 1024).Should().BeNull();
            File.Exists(small + ".dvc").Should().BeFalse();
            LargeData.ThresholdBytes.Should().Be(10L * 1024 * 1024, "docs/DATA.md promises 10 MiB");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
