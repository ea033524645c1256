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

    /// <summary>Copies the files of <paramref name="source"/> that <paramref name="include"/> accepts to <paramref name="target"/>.</summary>
    public static void Copy(string source, string target, Func<string, bool>? include = null)
    {
        foreach (var file in RelativeFiles(source, include))
        {
            var destination = Path.Combine(target, file);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(Path.Combine(source, file), destination);
        }
    }

    public static bool IsBinary(byte[] content) => Array.IndexOf(content, (byte)0) >= 0;

    /// <summary>The SHA-256 of every file but build output (bin/, obj/: git ignores them, and a refused import may build), by relative path.</summary>
    public static Dictionary<string, string> Hashes(string root) =>
        RelativeFiles(root, f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .ToDictionary(f => f, f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(root, f)))));
}
