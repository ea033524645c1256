namespace MlOps.Platform.Training;

/// <summary>
/// The model a team chose to serve, recorded by make promote and make rollback in a file committed with the code
/// (<c>champions/&lt;name&gt;.json</c>). Training compares every new model with it on the same data, so a change
/// that makes the model worse fails in CI, where no registry or served model exists.
/// </summary>
public sealed record Champion
{
    /// <summary>The model's name.</summary>
    public required string Model { get; init; }

    /// <summary>The registered version that was promoted.</summary>
    public required string Version { get; init; }

    /// <summary>When it was promoted.</summary>
    public required DateTimeOffset PromotedAt { get; init; }

    /// <summary>The trainer that made it.</summary>
    public required string Trainer { get; init; }

    /// <summary>SHA-256 of the data it was trained and measured on: only a model trained on the same bytes is compared.</summary>
    public required string DataSha256 { get; init; }

    /// <summary>Its metrics on the held-out split.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>The commit of the code that trained it, when known.</summary>
    public string? GitCommit { get; init; }

    /// <summary>The champion record of a promoted model.</summary>
    public static Champion Of(ModelManifest manifest, DateTimeOffset promotedAt)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new Champion
        {
            Model = manifest.Model ?? string.Empty,
            Version = manifest.Version,
            PromotedAt = promotedAt,
            Trainer = manifest.Trainer,
            DataSha256 = manifest.DataSha256,
            Metrics = manifest.Metrics,
            GitCommit = manifest.GitCommit,
        };
    }

    /// <summary>The champion recorded at <paramref name="path"/>; null when none is.</summary>
    /// <exception cref="TrainingException">The file is not a champion record.</exception>
    public static Champion? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var champion = TrainingJson.Read<Champion>(path);
        return champion.Metrics is { Count: > 0 } && !string.IsNullOrEmpty(champion.DataSha256)
            ? champion
            : throw new TrainingException($"{path} is not a champion record (it needs metrics and data_sha256); restore it from git or promote a version again.");
    }

    /// <summary>Writes the record to <paramref name="path"/>.</summary>
    public void Save(string path) => TrainingJson.Write(path, this);
}
