namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>A PATH without one tool, to see what a target does on a machine that lacks it.</summary>
public static class ToolPath
{
    /// <summary>
    /// The current PATH minus every folder holding <paramref name="tool"/>; those folders' other programs stay
    /// reachable through a folder of links. <paramref name="extraFolder"/> goes first when given.
    /// </summary>
    public static string Without(string tool, string? extraFolder = null)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries);
        var links = Path.Combine(TestRun.Folder, "tool-paths", $"without-{tool}");
        Directory.CreateDirectory(links);
        var kept = new List<string>();
        foreach (var folder in folders.Distinct(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(folder, tool)))
            {
                kept.Add(folder);
                continue;
            }

            foreach (var program in Directory.EnumerateFiles(folder).Where(p => Path.GetFileName(p) != tool))
            {
                var link = Path.Combine(links, Path.GetFileName(program));
                if (!File.Exists(link) && !Directory.Exists(link))
                {
                    File.CreateSymbolicLink(link, program);
                }
            }
        }

        return string.Join(':', (extraFolder is null ? [] : new[] { extraFolder }).Concat(kept).Append(links));
    }
}
