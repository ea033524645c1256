using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Inference;

/// <summary>Configuration section <c>Model</c>; every value can be set by environment, e.g. <c>Model__Directory</c>.</summary>
public sealed class ServingOptions
{
    /// <summary>The name of the configuration section.</summary>
    public const string Section = "Model";

    /// <summary>
    /// Folder of the trained models: each model of the repository is served from
    /// <c>&lt;Directory&gt;/&lt;name&gt;/model.zip</c>. Relative paths are resolved against the content root.
    /// </summary>
    [Required]
    public string Directory { get; set; } = "models";

    /// <summary>
    /// Optional file of one model, by model name (<c>Model:Paths:fraud</c>), instead of its place under
    /// <see cref="Directory"/>. Only names of the repository's models are accepted.
    /// </summary>
    public Dictionary<string, string> Paths { get; } = new(StringComparer.Ordinal);

    /// <summary>Most instances accepted in one predict request.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>Largest predict request body accepted, in bytes.</summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Seconds between checks of each model's file for a new model (0 turns hot reload off). A changed
    /// <c>model.zip</c> is loaded, canary-checked and swapped in without dropping a request.
    /// </summary>
    [Range(0, 86_400)]
    public int ReloadIntervalSeconds { get; set; } = 5;

    /// <summary>How many of the latest inputs the drift score (PSI) of each feature is computed over.</summary>
    [Range(DriftMonitor.MinimumInputs, 1_000_000)]
    public int DriftWindow { get; set; } = 1000;

    /// <summary>Largest <c>model.zip</c> loaded, in bytes; a larger one is refused and the serving model stays.</summary>
    [Range(1_024, long.MaxValue)]
    public long MaxModelFileBytes { get; set; } = ModelFileLimits.Default.MaxModelBytes;

    /// <summary>Largest total size the entries of a <c>model.zip</c> may unpack to, in bytes.</summary>
    [Range(1_024, long.MaxValue)]
    public long MaxModelUnpackedBytes { get; set; } = ModelFileLimits.Default.MaxUnpackedBytes;

    /// <summary>Most entries a <c>model.zip</c> may hold.</summary>
    [Range(1, 1_000_000)]
    public int MaxModelFileEntries { get; set; } = ModelFileLimits.Default.MaxEntries;

    /// <summary>Largest <c>manifest.json</c> read, in bytes.</summary>
    [Range(1_024, long.MaxValue)]
    public long MaxManifestBytes { get; set; } = ModelFileLimits.Default.MaxManifestBytes;

    /// <summary>Seconds reading one model file may take (a stalled volume) before the attempt is refused.</summary>
    [Range(1, 3_600)]
    public int ModelReadTimeoutSeconds { get; set; } = (int)ModelFileLimits.Default.ReadTimeout.TotalSeconds;

    /// <summary>The limits on model files these settings give.</summary>
    public ModelFileLimits FileLimits() => new()
    {
        MaxModelBytes = MaxModelFileBytes,
        MaxUnpackedBytes = MaxModelUnpackedBytes,
        MaxEntries = MaxModelFileEntries,
        MaxManifestBytes = MaxManifestBytes,
        ReadTimeout = TimeSpan.FromSeconds(ModelReadTimeoutSeconds),
    };

    /// <summary>The full path of <paramref name="model"/>'s <c>model.zip</c>.</summary>
    public string ModelPath(ModelDefinition model, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(model);
        var path = Paths.TryGetValue(model.Name, out var configured) && !string.IsNullOrWhiteSpace(configured)
            ? configured
            : model.ModelPath(Directory);
        return System.IO.Path.GetFullPath(path, contentRoot);
    }
}

/// <summary>Refuses <c>Model:Paths</c> entries for models the repository does not have (a typo would silently do nothing).</summary>
public sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    /// <summary>Fails when <c>Model:Paths</c> names a model this service does not serve.</summary>
    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.Paths.Keys.Where(k => ModelCatalog.Find(k) is null).Order(StringComparer.Ordinal).ToList();
        return unknown.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Model:Paths names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, which this service does not serve; its models are {string.Join(", ", ModelCatalog.Names)}.");
    }
}
