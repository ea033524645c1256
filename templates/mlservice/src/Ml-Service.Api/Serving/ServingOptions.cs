using System.ComponentModel.DataAnnotations;

namespace Ml_Service.Api.Serving;

/// <summary>Configuration section <c>Model</c>; every value can be set by environment, e.g. <c>Model__Path</c>.</summary>
public sealed class ServingOptions
{
    public const string Section = "Model";

    /// <summary>Name of the model in the KServe routes: <c>/v1/models/{Name}:predict</c>.</summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9-]*$")]
    public string Name { get; set; } = "churn";

    /// <summary>Path of <c>model.zip</c>; relative paths are resolved against the content root.</summary>
    [Required]
    public string Path { get; set; } = "models/model.zip";

    /// <summary>Most instances accepted in one predict request.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>Largest predict request body accepted, in bytes.</summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Seconds between checks of <see cref="Path"/> for a new model (0 turns hot reload off). A changed
    /// <c>model.zip</c> is loaded, canary-checked and swapped in without dropping a request.
    /// </summary>
    [Range(0, 86_400)]
    public int ReloadIntervalSeconds { get; set; } = 5;

    /// <summary>How many of the latest inputs the drift score (PSI) of each feature is computed over.</summary>
    [Range(DriftMonitor.MinimumInputs, 1_000_000)]
    public int DriftWindow { get; set; } = 1000;
}
