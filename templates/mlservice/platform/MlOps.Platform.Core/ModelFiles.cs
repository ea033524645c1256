using System.IO.Compression;

namespace MlOps.Platform;

/// <summary>
/// Reads a model's files within <see cref="ModelFileLimits"/>: only regular files with content, at most the
/// configured size, within the read timeout; and checks an archive's entry count and unpacked size before
/// anything unpacks it.
/// </summary>
public static class ModelFiles
{
    /// <summary>
    /// The bytes of <paramref name="path"/> (symbolic links followed). A device, pipe, socket or folder is never
    /// opened: they report no length, and opening a pipe would block.
    /// </summary>
    /// <exception cref="ModelLoadException">The file is missing, not a regular file, too large, unreadable or too slow.</exception>
    public static byte[] ReadRegular(string path, string what, long maxBytes, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var file = FinalTarget(path);
        if (Directory.Exists(file.FullName))
        {
            throw new ModelLoadException($"{what} '{path}' is a folder, not a file.", $"{what} is not a regular file");
        }

        if (!file.Exists)
        {
            throw new ModelLoadException($"{what} '{path}' does not exist.", $"{what} does not exist");
        }

        if (file.Length == 0)
        {
            // Character and block devices, pipes, sockets and /proc files all report a length of 0.
            var resolved = file.FullName == Path.GetFullPath(path) ? string.Empty : $" (a link to '{file.FullName}')";
            throw new ModelLoadException(
                $"{what} '{path}'{resolved} is empty or not a regular file (a device, pipe or socket); it was not opened.",
                $"{what} is empty or not a regular file");
        }

        if (file.Length > maxBytes)
        {
            throw new ModelLoadException(
                $"{what} '{path}' is {file.Length} bytes, more than the limit of {maxBytes} bytes.", $"{what} is larger than the limit");
        }

        var read = Task.Run(() => ReadAtMost(file.FullName, maxBytes), CancellationToken.None);
        try
        {
            // A read that hangs (a stalled network volume) is abandoned, never waited for without end.
            return read.WaitAsync(timeout, cancellationToken).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new ModelLoadException($"Reading {what} '{path}' took longer than {timeout.TotalSeconds:0.#} s; it was given up.", $"reading {what} timed out");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"{what} '{path}' cannot be read: {ex.Message}", $"{what} cannot be read", ex);
        }
    }

    /// <summary>
    /// Refuses an archive with more entries than allowed or that unpacks to more than allowed. Declared sizes are
    /// checked first; then every entry is unpacked into nothing while counting, since declared sizes can lie.
    /// </summary>
    /// <exception cref="ModelLoadException">The archive breaks a limit or is not a valid zip file.</exception>
    public static void CheckArchive(byte[] archive, string path, ModelFileLimits limits)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(limits);
        const string Reason = "model file is corrupt or breaks a size limit";
        try
        {
            using var zip = new ZipArchive(new MemoryStream(archive, writable: false), ZipArchiveMode.Read);
            if (zip.Entries.Count > limits.MaxEntries)
            {
                throw new ModelLoadException($"Model file '{path}' holds {zip.Entries.Count} entries, more than the limit of {limits.MaxEntries}.", Reason);
            }

            var declared = zip.Entries.Sum(e => e.Length);
            if (declared > limits.MaxUnpackedBytes)
            {
                throw new ModelLoadException($"Model file '{path}' unpacks to {declared} bytes, more than the limit of {limits.MaxUnpackedBytes}.", Reason);
            }

            var buffer = new byte[81_920];
            long unpacked = 0;
            foreach (var entry in zip.Entries)
            {
                using var content = entry.Open();
                int count;
                while ((count = content.Read(buffer)) > 0)
                {
                    unpacked += count;
                    if (unpacked > limits.MaxUnpackedBytes)
                    {
                        throw new ModelLoadException(
                            $"Model file '{path}' unpacks to more than the limit of {limits.MaxUnpackedBytes} bytes (its entries declare {declared}).", Reason);
                    }
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException($"Model file '{path}' is corrupt or was not written by this trainer: {ex.Message}", "model file is corrupt", ex);
        }
    }

    private static FileInfo FinalTarget(string path)
    {
        var file = new FileInfo(path);
        try
        {
            return file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
        }
        catch (IOException)
        {
            return file; // a link loop or a dangling link: reported as missing below
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/>: a file that grew past the limit while read is refused.</summary>
    private static byte[] ReadAtMost(string path, long maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        using var copy = new MemoryStream();
        var buffer = new byte[81_920];
        int count;
        while ((count = stream.Read(buffer)) > 0)
        {
            copy.Write(buffer, 0, count);
            if (copy.Length > maxBytes)
            {
                throw new IOException($"the file grew past the limit of {maxBytes} bytes while it was read");
            }
        }

        return copy.ToArray();
    }
}
