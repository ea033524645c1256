using System.Security.Cryptography;
using System.Text;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Snapshots: one committed file per generated file, at &lt;snapshot folder&gt;/&lt;relative path&gt;.snap
/// (the suffix keeps copies of .gitignore, Directory.Build.props, .editorconfig from taking effect).
/// Sample data and binary files are the same in every scenario and unreadable as a diff: their snapshot is
/// &lt;relative path&gt;.sha256, holding the SHA-256 and size of the content instead of a copy. A package of the
/// repository's packages/ feed is packed anew by every run (its zip timestamps differ): its snapshot is the list
/// of the files it holds.
/// Only the <see cref="BaselineId"/> scenario has a complete snapshot. Every other scenario has its file list
/// (<see cref="FileList"/>) and the snapshots of just the files that differ from the baseline's, so a change to
/// the template is reviewed once, where it shows; the scenarios that differ by name alone keep only their list
/// (their content is the baseline's with another name, which the layout, build and lint tests check).
/// </summary>
public static class SnapshotFiles
{
    public const string Suffix = ".snap";
    public const string HashSuffix = ".sha256";

    /// <summary>The scenario whose snapshot is complete.</summary>
    public const string BaselineId = "defaults";

    /// <summary>Every generated path of a scenario other than the baseline, one a line, in ordinal order.</summary>
    public const string FileList = "files.txt";

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
        !IsFeedPackage(relativePath)
        && (relativePath.StartsWith("data/", StringComparison.Ordinal) || s_binaryExtensions.Contains(Path.GetExtension(relativePath)));

    /// <summary>A package of the generated repository's folder feed, compared by the files it holds.</summary>
    public static bool IsFeedPackage(string relativePath) =>
        relativePath.StartsWith("packages/", StringComparison.Ordinal) && relativePath.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase);

    /// <summary>The text a hashed file's snapshot holds.</summary>
    public static byte[] HashRecord(byte[] content) =>
        Encoding.UTF8.GetBytes($"sha256 {Convert.ToHexStringLower(SHA256.HashData(content))}, {content.Length} bytes\n");

    private static byte[] Snapshot(string path, byte[] content) =>
        IsFeedPackage(path) ? PackageRecord(content) : IsComparedByHash(path) ? HashRecord(content) : Scrub(content);

    /// <summary>The files a package holds, one a line in ordinal order (NuGet's own bookkeeping left out).</summary>
    private static byte[] PackageRecord(byte[] content)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(content));
        var entries = zip.Entries.Select(e => e.FullName)
            .Where(name => !name.StartsWith("package/", StringComparison.Ordinal) && !name.StartsWith("_rels/", StringComparison.Ordinal) && name != "[Content_Types].xml")
            .Order(StringComparer.Ordinal);
        return Encoding.UTF8.GetBytes(string.Concat(entries.Select(e => e + "\n")));
    }

    public static IReadOnlyDictionary<string, byte[]> ReadSnapshots(string snapshotFolder) =>
        Directory.Exists(snapshotFolder)
            ? FileTree.RelativeFiles(snapshotFolder)
                .Where(path => path != FileList)
                .ToDictionary(StripSuffix, path => File.ReadAllBytes(Path.Combine(snapshotFolder, path)), StringComparer.Ordinal)
            : new Dictionary<string, byte[]>();

    /// <summary>Scenarios that differ from the baseline by their name only: their snapshot is the file list.</summary>
    public static bool IsListOnly(Scenario scenario) => Scenarios.IsNameOnly(scenario);

    /// <summary>
    /// What the scenario is expected to generate: the baseline's complete snapshot; for another scenario every path
    /// of its list, with its own snapshot of the file or else the baseline's (null content: a list-only scenario).
    /// </summary>
    public static IReadOnlyDictionary<string, byte[]?> ReadExpected(Scenario scenario, IReadOnlyDictionary<string, byte[]> baseline)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var own = ReadSnapshots(scenario.SnapshotFolder);
        if (scenario.Id == BaselineId)
        {
            return own.ToDictionary(f => f.Key, f => (byte[]?)f.Value, StringComparer.Ordinal);
        }

        var list = Path.Combine(scenario.SnapshotFolder, FileList);
        var paths = File.Exists(list) ? File.ReadAllLines(list).Where(l => l.Length > 0) : [];
        return paths.ToDictionary(
            path => path,
            path => IsListOnly(scenario) ? null : own.GetValueOrDefault(path) ?? baseline.GetValueOrDefault(path) ?? NoSnapshot,
            StringComparer.Ordinal);
    }

    /// <summary>Writes the scenario's snapshot: complete for the baseline, else its list and the files that differ from <paramref name="baseline"/>.</summary>
    public static void Write(Scenario scenario, IReadOnlyDictionary<string, byte[]> generated, IReadOnlyDictionary<string, byte[]> baseline)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(generated);
        if (scenario.Id == BaselineId)
        {
            Write(scenario.SnapshotFolder, generated);
            return;
        }

        var differing = IsListOnly(scenario)
            ? []
            : generated.Where(f => !baseline.TryGetValue(f.Key, out var same) || !same.AsSpan().SequenceEqual(f.Value))
                .ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        Write(scenario.SnapshotFolder, differing);
        Directory.CreateDirectory(scenario.SnapshotFolder);
        File.WriteAllText(Path.Combine(scenario.SnapshotFolder, FileList), string.Concat(generated.Keys.Order(StringComparer.Ordinal).Select(p => p + "\n")));
    }

    /// <summary>Content no generated file can have: a listed path that neither the scenario nor the baseline has a snapshot of.</summary>
    private static readonly byte[] NoSnapshot = Encoding.UTF8.GetBytes("(no snapshot of this file in the scenario or the baseline)\n");

    /// <summary>Replaces the snapshots with <paramref name="generated"/>, removing stale ones.</summary>
    private static void Write(string snapshotFolder, IReadOnlyDictionary<string, byte[]> generated)
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
