namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Well-known folders of this checkout.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    public static string PackProject => Path.Combine(Root, "MlOpsTemplates.csproj");

    public static string Templates => Path.Combine(Root, "templates");

    /// <summary>The platform packages' solution, packed by the pack at the pack's version.</summary>
    public static string PlatformSolution => Path.Combine(Templates, "mlservice", "platform", "MlOps.Platform.slnx");

    public static string Artifacts => Path.Combine(Root, "artifacts");

    public static string Snapshots => Path.Combine(Root, "tests", "snapshots");

    /// <summary>One NuGet cache per checkout for generated repos: fast re-runs, no global cache pollution.</summary>
    public static string NuGetPackages => Path.Combine(Artifacts, "nuget-packages");

    public static string TemplateConfig(string templateFolder) =>
        Path.Combine(Templates, templateFolder, ".template.config", "template.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlOpsTemplates.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No MlOpsTemplates.csproj above {AppContext.BaseDirectory}.");
    }
}
