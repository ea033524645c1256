using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Platform;

/// <summary>What is known about a trained model; written beside <c>model.zip</c> as <c>manifest.json</c>.</summary>
public sealed record ModelManifest
{
    /// <summary>The file name of the manifest in a model's folder.</summary>
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>The model this file belongs to (<see cref="ModelDefinition.Name"/>).</summary>
    public string? Model { get; init; }

    /// <summary>The task of that model; serving refuses a file whose task differs from the definition's.</summary>
    public ModelTask? Task { get; init; }

    /// <summary>The kind of the model (<see cref="ModelKind.Name"/>); absent for ML.NET pipelines trained here.</summary>
    public string? Kind { get; init; }

    /// <summary>
    /// For a model made elsewhere and imported: the repository file it came from and what is known of it (sha256,
    /// producer, producer_version, opset), by key.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Origin { get; init; }

    /// <summary>The model version; training writes the id of its run with dots (<c>20261124.063700.ab12</c>).</summary>
    public required string Version { get; init; }

    /// <summary>When training produced the model.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The trainer that fitted the model, as named in the training parameters.</summary>
    public required string Trainer { get; init; }

    /// <summary>SHA-256 of the training data file, so a model can be traced to its data.</summary>
    public required string DataSha256 { get; init; }

    /// <summary>The training parameters the model was trained with, by dotted key (<c>sdca.max_iterations</c>).</summary>
    public required IReadOnlyDictionary<string, string> Params { get; init; }

    /// <summary>The evaluation metrics of the model on the held-out test split, by name.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>Seconds the training run had taken when it wrote this manifest.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>The training run that produced the model (<c>models/&lt;name&gt;/runs/&lt;run_id&gt;.json</c>).</summary>
    public string? RunId { get; init; }

    /// <summary>Commit of the repository the model was trained from; <c>unknown</c> outside git.</summary>
    public string? GitCommit { get; init; }

    /// <summary>
    /// Distribution of each feature in the training split, keyed by feature name; serving compares its
    /// inputs with it to detect drift (<see cref="MlOps.Platform.FeatureReference.Psi"/>).
    /// </summary>
    public IReadOnlyDictionary<string, FeatureReference>? FeatureReference { get; init; }

    /// <summary>Writes the manifest to <paramref name="path"/> as indented JSON with snake_case names.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, s_json) + "\n");

    /// <summary>Reads a manifest within <see cref="ModelFileLimits.Default"/>; null when the file does not exist.</summary>
    /// <exception cref="ModelLoadException">The file exists but is not a valid manifest.</exception>
    public static ModelManifest? Load(string path) => File.Exists(path) ? Parse(Read(path, ModelFileLimits.Default), path) : null;

    /// <summary>The bytes of a manifest file, read as <see cref="ModelFiles.ReadRegular"/> does with the manifest's size limit.</summary>
    /// <exception cref="ModelLoadException">The file is missing, not a regular file, too large or unreadable.</exception>
    public static byte[] Read(string path, ModelFileLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return ModelFiles.ReadRegular(path, "manifest", limits.MaxManifestBytes, limits.ReadTimeout, cancellationToken);
    }

    /// <summary>
    /// Parses and validates a manifest. Every field that reaches a response header, a log line or a metric label
    /// (version, model, trainer, run id, commit) must be 1 to <see cref="MaxFieldLength"/> visible ASCII characters.
    /// </summary>
    /// <exception cref="ModelLoadException">Not valid JSON, or a field breaks that rule.</exception>
    public static ModelManifest Parse(ReadOnlySpan<byte> json, string path)
    {
        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(json, s_json)
                ?? throw new ModelLoadException($"Model manifest '{path}' is empty.", InvalidReason);
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException($"Model manifest '{path}' is not valid JSON: {ex.Message}", InvalidReason, ex);
        }

        foreach (var (field, value) in new[]
                 {
                     ("version", manifest.Version), ("model", manifest.Model), ("trainer", manifest.Trainer),
                     ("run_id", manifest.RunId), ("git_commit", manifest.GitCommit), ("kind", manifest.Kind),
                 })
        {
            if (value is not null && !IsPlainField(value))
            {
                throw new ModelLoadException(
                    $"Model manifest '{path}': {field} must be 1 to {MaxFieldLength} visible ASCII characters (no spaces, line breaks or other characters).",
                    InvalidReason);
            }
        }

        return manifest;
    }

    /// <summary>Longest version, model, trainer, run id or commit a manifest may hold.</summary>
    public const int MaxFieldLength = 128;

    private const string InvalidReason = "manifest is not valid";

    private static bool IsPlainField(string value) =>
        value.Length is > 0 and <= MaxFieldLength && value.All(c => c is > ' ' and <= '~');

    /// <summary>One line for logs: version, trainer and creation time; not written to the file.</summary>
    [JsonIgnore]
    public string Summary => $"{Version} ({Trainer}, created {CreatedAt:u})";
}
