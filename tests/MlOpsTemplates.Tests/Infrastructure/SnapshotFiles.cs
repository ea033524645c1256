using System.Text;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Snapshots: one committed file per generated file, at &lt;snapshot folder&gt;/&lt;relative path&gt;.snap
/// (the suffix keeps copies of .gitignore, Directory.Build.props, .editorconfig from taking effect).
/// </summary>
public static class SnapshotFiles
{
    public const string Suffix = ".snap";

    public static bool UpdateRequested => Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") is "1" or "true";

    /// <summary>The generated files, keyed by relative path, with run-specific values scrubbed.</summary>
    public static IReadOnlyDictionary<string, byte[]> ReadGenerated(string root) =>
        FileTree.RelativeFiles(root).ToDictionary(path => path, path => Scrub(File.ReadAllBytes(Path.Combine(root, path))), StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, byte[]> ReadSnapshots(string snapshotFolder) =>
        Directory.Exists(snapshotFolder)
            ? FileTree.RelativeFiles(snapshotFolder)
                .ToDictionary(StripSuffix, path => File.ReadAllBytes(Path.Combine(snapshotFolder, path)), StringComparer.Ordinal)
            : new Dictionary<string, byte[]>();

    /// <summary>Replaces the snapshots with <paramref name="generated"/>, removing stale ones.</summary>
    public static void Write(string snapshotFolder, IReadOnlyDictionary<string, byte[]> generated)
    {
        if (Directory.Exists(snapshotFolder))
        {
            Directory.Delete(snapshotFolder, recursive: true);
        }

        foreach (var (path, content) in generated)
        {
            var target = Path.Combine(snapshotFolder, path + Suffix);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, content);
        }
    }

    private static string StripSuffix(string path) =>
        path.EndsWith(Suffix, StringComparison.Ordinal) ? path[..^Suffix.Length] : path + " (snapshot without the .snap suffix)";

    private static byte[] Scrub(byte[] content)
    {
        if (FileTree.IsBinary(content))
        {
            return content;
        }

        // Decoding keeps a BOM as U+FEFF, so the round trip is byte-exact apart from the scrubbed values.
        var text = new UTF8Encoding(false).GetString(content);
        var scrubbed = Scrubber.Scrub(text);
        return scrubbed == text ? content : new UTF8Encoding(false).GetBytes(scrubbed);
    }
}
