namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// The folder of this test run, artifacts/test-runs/&lt;timestamp&gt;: everything a test generates
/// stays there for debugging. Older runs beyond the last few are pruned.
/// </summary>
public static class TestRun
{
    private const int RunsKept = 3;
    private static readonly Lazy<string> s_folder = new(Create);

    public static string Folder => s_folder.Value;

    public static string ScenarioFolder(string scenarioId, string purpose)
    {
        var folder = Path.Combine(Folder, scenarioId, purpose);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string Create()
    {
        var runs = Path.Combine(RepoPaths.Artifacts, "test-runs");
        Directory.CreateDirectory(runs);
        Isolate(runs);
        Prune(runs);

        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var folder = Path.Combine(runs, stamp);
        for (var i = 2; Directory.Exists(folder); i++)
        {
            folder = Path.Combine(runs, $"{stamp}-{i}");
        }

        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>
    /// Generated repos live inside this checkout; stop MSBuild and .editorconfig lookups from walking
    /// up into the pack's own settings so they build exactly as on a new hire's machine.
    /// </summary>
    private static void Isolate(string runs)
    {
        File.WriteAllText(Path.Combine(runs, ".editorconfig"), "root = true\n");
        File.WriteAllText(Path.Combine(runs, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(runs, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(runs, "Directory.Packages.props"), "<Project />\n");
    }

    private static void Prune(string runs)
    {
        // Runs younger than an hour may belong to a run still in progress.
        var old = new DirectoryInfo(runs).GetDirectories()
            .OrderByDescending(d => d.Name, StringComparer.Ordinal)
            .Skip(RunsKept - 1)
            .Where(d => d.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1));
        foreach (var dir in old)
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Another run may still use it; pruning is best effort.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
