namespace MlOps.Platform;

/// <summary>
/// How much a model's files may make the service read, unpack and wait for. A model file is data from outside
/// the process (a volume, a registry): without limits a small archive could expand to gigabytes, and a
/// manifest that is a device or a pipe could be read for ever.
/// </summary>
public sealed record ModelFileLimits
{
    /// <summary>The limits when none are configured; generous for any model the repository trains.</summary>
    public static readonly ModelFileLimits Default = new();

    /// <summary>Largest <c>model.zip</c> read, in bytes.</summary>
    public long MaxModelBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Largest total size the entries of <c>model.zip</c> may unpack to, in bytes.</summary>
    public long MaxUnpackedBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Most entries <c>model.zip</c> may hold.</summary>
    public int MaxEntries { get; init; } = 1_000;

    /// <summary>Largest <c>manifest.json</c> read, in bytes.</summary>
    public long MaxManifestBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>How long reading one file may take before it is given up (a hung network volume).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
