using Microsoft.ML;

namespace MlOps.Platform;

/// <summary>A fitted pipeline (features + trainer) of one model and its manifest, loaded from the model's folder.</summary>
public sealed class TrainedModel
{
    /// <summary>The file name of the saved pipeline in a model's folder.</summary>
    public const string FileName = "model.zip";

    private TrainedModel(ModelDefinition definition, ITransformer transformer, ModelManifest? manifest, ReadOnlyMemory<byte> manifestJson = default)
    {
        Definition = definition;
        Transformer = transformer;
        Manifest = manifest;
        ManifestJson = manifestJson;
    }

    /// <summary>The definition the model was loaded for.</summary>
    public ModelDefinition Definition { get; }

    /// <summary>The fitted ML.NET pipeline: feature transforms and trainer.</summary>
    public ITransformer Transformer { get; }

    /// <summary>The manifest read with the model; null when there was none.</summary>
    public ModelManifest? Manifest { get; }

    /// <summary>The manifest file as it was read with the model (empty without one), so nothing reads it twice.</summary>
    public ReadOnlyMemory<byte> ManifestJson { get; }

    /// <summary>The version from the manifest, or <c>unversioned</c> without one.</summary>
    public string Version => Manifest?.Version ?? "unversioned";

    /// <summary>
    /// Loads <c>model.zip</c> and the <c>manifest.json</c> beside it within <paramref name="limits"/>, checks that the
    /// manifest belongs to <paramref name="definition"/> (same model name and task), then runs the definition's canary.
    /// </summary>
    /// <exception cref="ModelLoadException">
    /// The model is missing, not a regular file, too large, corrupt, of another model or task, or cannot score the canary.
    /// </exception>
    public static TrainedModel Load(
        MLContext ml, string modelPath, ModelDefinition definition, ModelFileLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(definition);
        limits ??= ModelFileLimits.Default;
        if (!File.Exists(modelPath) && !Directory.Exists(modelPath))
        {
            throw new ModelLoadException($"Model file '{modelPath}' does not exist. Train one first (make train).", "model file does not exist");
        }

        var manifestPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, ModelManifest.FileName);
        var manifestJson = File.Exists(manifestPath) || Directory.Exists(manifestPath)
            ? ModelManifest.Read(manifestPath, limits, cancellationToken)
            : null;
        var manifest = manifestJson is null ? null : ModelManifest.Parse(manifestJson, manifestPath);
        if (manifest?.Model is { } name && name != definition.Name)
        {
            throw new ModelLoadException($"Model file '{modelPath}' was trained for model '{name}', not '{definition.Name}'.", "model file is of another model");
        }

        if (manifest?.Task is { } task && task != definition.Task)
        {
            throw new ModelLoadException(
                $"Model file '{modelPath}' was trained for a {task.ToText()} task, but model '{definition.Name}' is {definition.Task.ToText()}.",
                "model file is of another task");
        }

        var archive = ModelFiles.ReadRegular(modelPath, "model file", limits.MaxModelBytes, limits.ReadTimeout, cancellationToken);
        ModelFiles.CheckArchive(archive, modelPath, limits);
        ITransformer transformer;
        try
        {
            transformer = ml.Model.Load(new MemoryStream(archive, writable: false), out _);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ModelLoadException($"Model file '{modelPath}' is corrupt or was not written by this trainer: {ex.Message}", "model file is corrupt", ex);
        }

        var model = new TrainedModel(definition, transformer, manifest, manifestJson);
        model.VerifyCanary(ml);
        return model;
    }

    /// <summary>Wraps an in-memory pipeline, as training does before saving it.</summary>
    public static TrainedModel FromTransformer(ModelDefinition definition, ITransformer transformer, ModelManifest? manifest = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(transformer);
        return new(definition, transformer, manifest);
    }

    /// <summary>
    /// A prediction engine with the output type of the model's task (<see cref="BinaryPrediction"/>,
    /// <see cref="MulticlassPrediction"/> or <see cref="RegressionPrediction"/>). Not thread-safe.
    /// </summary>
    public PredictionEngine<FeatureRow, TPrediction> CreateEngine<TPrediction>(MLContext ml)
        where TPrediction : class, new()
    {
        ArgumentNullException.ThrowIfNull(ml);
        return ml.Model.CreatePredictionEngine<FeatureRow, TPrediction>(
            Transformer, ignoreMissingColumns: true, inputSchemaDefinition: Definition.InputSchema);
    }

    /// <summary>The canary row of the definition, validated.</summary>
    public FeatureRow CanaryRow()
    {
        var errors = new List<FeatureError>();
        return Definition.Validate(Definition.Canary, errors)
            ?? throw new ModelLoadException(
                $"The canary of model '{Definition.Name}' is not valid: {string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"))}.");
    }

    /// <summary>A model that cannot score a typical row, or scores it as something its task cannot produce, must never serve.</summary>
    private void VerifyCanary(MLContext ml)
    {
        var canary = CanaryRow();
        string? problem;
        try
        {
            problem = Definition.Task switch
            {
                ModelTask.Binary => CheckBinary(ml, canary),
                ModelTask.Multiclass => CheckMulticlass(ml, canary),
                _ => CheckRegression(ml, canary),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new ModelLoadException($"Model '{Version}' cannot score the canary row: {ex.Message}", "model failed its canary prediction", ex);
        }

        if (problem is not null)
        {
            throw new ModelLoadException($"Model '{Version}' scored the canary row as {problem}.", "model failed its canary prediction");
        }
    }

    private string? CheckBinary(MLContext ml, FeatureRow canary)
    {
        using var engine = CreateEngine<BinaryPrediction>(ml);
        var probability = engine.Predict(canary).Probability;
        return float.IsFinite(probability) && probability is >= 0 and <= 1 ? null : $"{probability}, not a probability";
    }

    private string? CheckMulticlass(MLContext ml, FeatureRow canary)
    {
        using var engine = CreateEngine<MulticlassPrediction>(ml);
        var prediction = engine.Predict(canary);
        var classes = Definition.Label.Classes;
        if (!classes.Contains(prediction.PredictedLabel, StringComparer.Ordinal))
        {
            return $"'{prediction.PredictedLabel}', not one of {string.Join(", ", classes)}";
        }

        return prediction.Score.Length == classes.Count && prediction.Score.All(p => float.IsFinite(p) && p is >= 0 and <= 1)
            ? null
            : $"[{string.Join(", ", prediction.Score)}], not one probability per class ({classes.Count})";
    }

    private string? CheckRegression(MLContext ml, FeatureRow canary)
    {
        using var engine = CreateEngine<RegressionPrediction>(ml);
        var value = engine.Predict(canary).Score;
        return float.IsFinite(value) ? null : $"{value}, not a finite number";
    }
}
