using System.Security.Cryptography;
using System.Text;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Snapshots: one committed file per generated file, at &lt;snapshot folder&gt;/&lt;relative path&gt;.snap
/// (the suffix keeps copies of .gitignore, Directory.Build.props, .editorconfig from taking effect).
/// Sample data and binary files are the same in every scenario and unreadable as a diff: their snapshot is
/// &lt;relative path&gt;.sha256, holding the SHA-256 and size of the content instead of a copy.
/// </summary>
public static class SnapshotFiles
{
    public const string Suffix = ".snap";
    public const string HashSuffix = ".sha256";

    private static readonly HashSet<string> s_binaryExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".ico", ".jpg", ".gif", ".zip", ".nupkg",
    };

    public static bool UpdateRequested => Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") is "1" or "true";

    /// <summary>The generated files, keyed by relative path, with run-specific values scrubbed.</summary>
    public static IReadOnlyDictionary<string, byte[]> ReadGenerated(string root) =>
        FileTree.RelativeFiles(root).ToDictionary(path => path, path => Snapshot(path, File.ReadAllBytes(Path.Combine(root, path))), StringComparer.Ordinal);

    /// <summary>Data under <c>data/</c> and binary files are compared by hash, everything else as text.</summary>
    public static bool IsComparedByHash(string relativePath) =>
        relativePath.StartsWith("data/", StringComparison.Ordinal) || s_binaryExtensions.Contains(Path.GetExtension(relativePath));

    /// <summary>The text a hashed file's snapshot holds.</summary>
    public static byte[] HashRecord(byte[] content) =>
        Encoding.UTF8.GetBytes($"sha256 {Convert.ToHexStringLower(SHA256.HashData(content))}, {content.Length} bytes\n");

    private static byte[] Snapshot(string path, byte[] content) =>
        IsComparedByHash(path) ? HashRecord(content) : Scrub(content);

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
            var target = Path.Combine(snapshotFolder, path + (IsComparedByHash(path) ? HashSuffix : Suffix));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, content);
        }
    }

    private static string StripSuffix(string path) =>
        path.EndsWith(Suffix, StringComparison.Ordinal) ? path[..^Suffix.Length]
        : path.EndsWith(HashSuffix, StringComparison.Ordinal) && IsComparedByHash(path[..^HashSuffix.Length]) ? path[..^HashSuffix.Length]
        : path + " (snapshot without the .snap or .sha256 suffix)";

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
