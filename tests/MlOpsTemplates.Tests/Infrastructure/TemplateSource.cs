namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>A template's source folder as a developer has it: the template's files, without build output.</summary>
public static class TemplateSource
{
    private static readonly string[] s_buildOutputFolders = ["bin", "obj", ".vs", "TestResults", "models", "artifacts", "node_modules"];

    public static string Folder(string template) => Path.Combine(RepoPaths.Templates, template);

    /// <summary>True for a file that belongs to the template (and so to the package), given its '/'-separated path.</summary>
    public static bool IsTemplateFile(string relativePath) =>
        !relativePath.Split('/').Any(s_buildOutputFolders.Contains) && !relativePath.EndsWith(".user", StringComparison.Ordinal);

    /// <summary>Copies the template's files to <paramref name="destination"/>, leaving build output behind.</summary>
    public static void CopyTo(string template, string destination)
    {
        var source = Folder(template);
        foreach (var file in FileTree.RelativeFiles(source, IsTemplateFile))
        {
            var target = Path.Combine(destination, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(source, file), target);
        }
    }
}
