using System.Globalization;
using System.Security.Cryptography;

namespace MlOps.Platform.Training;

/// <summary>
/// A data file too large for git (above <see cref="ThresholdBytes"/>) is kept out of it the way <c>dvc add</c> does:
/// a stub <c>&lt;file&gt;.dvc</c> beside it records its MD5 and size, and the folder's <c>.gitignore</c> names the
/// file. The team commits the stub and pushes the data with <c>dvc push</c>.
/// </summary>
public static class LargeData
{
    /// <summary>The size above which an imported data file is tracked by DVC instead of git: 10 MiB.</summary>
    public const long ThresholdBytes = 10L * 1024 * 1024;

    /// <summary>
    /// Writes the DVC stub of <paramref name="dataPath"/> and git-ignores the file when it is larger than
    /// <paramref name="thresholdBytes"/>; returns the stub's path, or null when the file is small enough for git.
    /// </summary>
    public static string? Track(string dataPath, long thresholdBytes = ThresholdBytes)
    {
        var size = new FileInfo(dataPath).Length;
        if (size <= thresholdBytes)
        {
            return null;
        }

        string md5;
        using (var stream = File.OpenRead(dataPath))
        {
            // DVC identifies content by MD5: a checksum of the file, not a security measure.
#pragma warning disable CA5351
            md5 = Convert.ToHexStringLower(MD5.HashData(stream));
#pragma warning restore CA5351
        }

        var name = Path.GetFileName(dataPath);
        var stub = dataPath + ".dvc";
        File.WriteAllText(stub, string.Create(CultureInfo.InvariantCulture, $"outs:\n- md5: {md5}\n  size: {size}\n  hash: md5\n  path: {name}\n"));

        var ignore = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataPath))!, ".gitignore");
        var entry = "/" + name;
        var lines = File.Exists(ignore) ? File.ReadAllLines(ignore) : [];
        if (!lines.Contains(entry, StringComparer.Ordinal))
        {
            var text = File.Exists(ignore) ? File.ReadAllText(ignore) : string.Empty;
            File.WriteAllText(ignore, text + (text.Length > 0 && !text.EndsWith('\n') ? "\n" : string.Empty) + entry + "\n");
        }

        return stub;
    }
}
