namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Restore failures must be detected, never swallowed: by the files restore writes and by its output.</summary>
public static class RestoreCheck
{
    private static readonly string[] s_failureMarkers = ["Restore failed", "error NU", "Post action failed", "Failed to restore"];

    public static void AssertRestored(string repoRoot, ProcessResult restore)
    {
        foreach (var marker in s_failureMarkers)
        {
            restore.Output.Should().NotContain(marker, $"restore must succeed cleanly:{Environment.NewLine}{restore}");
        }

        var projects = Directory.GetFiles(repoRoot, "*.csproj", SearchOption.AllDirectories);
        projects.Should().NotBeEmpty($"the generated repo at {repoRoot} must contain projects");
        foreach (var project in projects)
        {
            var assets = Path.Combine(Path.GetDirectoryName(project)!, "obj", "project.assets.json");
            File.Exists(assets).Should().BeTrue($"restore must have restored {project}:{Environment.NewLine}{restore}");
        }
    }
}
