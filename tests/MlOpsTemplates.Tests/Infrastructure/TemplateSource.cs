namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>A template's source folder as a developer has it: the template's files, without build output.</summary>
public static class TemplateSource
{
    /// <summary>Build output at any depth.</summary>
    private static readonly string[] s_buildOutputFolders = ["bin", "obj", ".vs", "TestResults", "artifacts", "node_modules"];

    /// <summary>Trained models, at a template's root only: docs/models holds the model cards, which belong to the template.</summary>
    private const string TrainedModelsFolder = "models";

    public static string Folder(string template) => Path.Combine(RepoPaths.Templates, template);

    /// <summary>
    /// True for a file that belongs to a template (and so to the package), given its '/'-separated path relative to
    /// the templates folder (`mlservice/src/...`), as the package's own excludes see it.
    /// </summary>
    public static bool IsTemplateFile(string relativePath)
    {
        var segments = relativePath.Split('/');
        return !segments.Any(s_buildOutputFolders.Contains)
            && !(segments.Length > 2 && segments[1] == TrainedModelsFolder)
            && !relativePath.EndsWith(".user", StringComparison.Ordinal);
    }

    /// <summary>
    /// True for a file of the template source that only authoring needs and no repository gets: the platform's source
    /// (<c>platform/</c>, packed as packages instead) and the build file that references it (<c>Directory.Build.targets</c>).
    /// </summary>
    public static bool IsAuthoringOnly(string relativePath)
    {
        var segments = relativePath.Split('/');
        return segments.Length > 1 && (segments[1] == "platform" || (segments.Length == 2 && segments[1] == "Directory.Build.targets"));
    }

    /// <summary>True for a platform package in a template's folder feed (<c>mlservice/packages/*.nupkg</c>), which packing adds.</summary>
    public static bool IsPlatformPackage(string relativePath)
    {
        var segments = relativePath.Split('/');
        return segments.Length == 3 && segments[1] == "packages" && segments[2].EndsWith(".nupkg", StringComparison.Ordinal);
    }

    /// <summary>
    /// The platform's packages, one per project under <c>templates/mlservice/platform/</c> but those not packed yet
    /// (<c>&lt;IsPackable&gt;false&lt;/IsPackable&gt;</c>, such as MlOps.Platform.Data until the database option ships it).
    /// </summary>
    public static IReadOnlyList<string> PlatformProjects =>
        [.. Directory.GetFiles(Path.Combine(RepoPaths.Templates, "mlservice", "platform"), "*.csproj", SearchOption.AllDirectories)
            .Where(project => !File.ReadAllText(project).Contains("<IsPackable>false</IsPackable>", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!];

    /// <summary>Copies the template's files to <paramref name="destination"/>, leaving build output behind.</summary>
    public static void CopyTo(string template, string destination)
    {
        var source = Folder(template);
        foreach (var file in FileTree.RelativeFiles(source, f => IsTemplateFile($"{template}/{f}")))
        {
            var target = Path.Combine(destination, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(source, file), target);
        }
    }
}
