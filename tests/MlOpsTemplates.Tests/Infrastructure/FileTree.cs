namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Files of a folder as sorted, '/'-separated relative paths.</summary>
public static class FileTree
{
    public static IReadOnlyList<string> RelativeFiles(string root, Func<string, bool>? include = null) =>
        Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => include?.Invoke(f) ?? true)
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static bool IsBinary(byte[] content) => Array.IndexOf(content, (byte)0) >= 0;
}
