using System.Text;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>What differs between committed snapshots and generated output: file list and contents.</summary>
public sealed class SnapshotComparison
{
    private const int DiffsShown = 5;

    private SnapshotComparison(IReadOnlyList<string> missing, IReadOnlyList<string> extra, IReadOnlyList<(string Path, string Diff)> changed)
    {
        Missing = missing;
        Extra = extra;
        Changed = changed;
    }

    /// <summary>In the snapshots but no longer generated.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Generated but without a snapshot.</summary>
    public IReadOnlyList<string> Extra { get; }

    public IReadOnlyList<(string Path, string Diff)> Changed { get; }

    public bool IsMatch => Missing.Count == 0 && Extra.Count == 0 && Changed.Count == 0;

    /// <param name="snapshots">The expected files; a null content is not compared (the path only).</param>
    /// <param name="generated">The generated files.</param>
    public static SnapshotComparison Compare(IReadOnlyDictionary<string, byte[]?> snapshots, IReadOnlyDictionary<string, byte[]> generated)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(generated);
        var missing = snapshots.Keys.Except(generated.Keys).Order(StringComparer.Ordinal).ToArray();
        var extra = generated.Keys.Except(snapshots.Keys).Order(StringComparer.Ordinal).ToArray();
        var changed = snapshots.Keys.Intersect(generated.Keys)
            .Order(StringComparer.Ordinal)
            .Where(path => snapshots[path] is { } expected && !expected.AsSpan().SequenceEqual(generated[path]))
            .Select(path => (path, Diff(path, snapshots[path]!, generated[path])))
            .ToArray();
        return new SnapshotComparison(missing, extra, changed);
    }

    public string Describe(string snapshotFolder, string generatedRoot)
    {
        var text = new StringBuilder();
        text.AppendLine($"Generated output differs from the snapshots.");
        text.AppendLine($"  snapshots: {snapshotFolder}");
        text.AppendLine($"  generated: {generatedRoot}");
        text.AppendLine("  accept the new output with: UPDATE_SNAPSHOTS=1 bash build/test.sh");
        AppendList(text, "Missing (in snapshots, not generated)", Missing);
        AppendList(text, "Extra (generated, no snapshot)", Extra);
        AppendList(text, "Changed", Changed.Select(c => c.Path).ToArray());
        foreach (var (_, diff) in Changed.Take(DiffsShown))
        {
            text.AppendLine().Append(diff);
        }

        if (Changed.Count > DiffsShown)
        {
            text.AppendLine($"... and {Changed.Count - DiffsShown} more changed files");
        }

        return text.ToString();
    }

    private static void AppendList(StringBuilder text, string title, IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            return;
        }

        text.AppendLine($"{title}: {paths.Count}");
        foreach (var path in paths)
        {
            text.AppendLine($"  {path}");
        }
    }

    private static string Diff(string path, byte[] snapshot, byte[] generated) =>
        FileTree.IsBinary(snapshot) || FileTree.IsBinary(generated)
            ? $"--- {path}{SnapshotFiles.Suffix}{Environment.NewLine}+++ {path}{Environment.NewLine}binary content differs ({snapshot.Length} vs {generated.Length} bytes){Environment.NewLine}"
            : TextDiff.FirstDifference(Encoding.UTF8.GetString(snapshot), Encoding.UTF8.GetString(generated), path + SnapshotFiles.Suffix, path);
}
