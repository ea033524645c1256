using Microsoft.ML;

namespace MlOps.Platform;

/// <summary>
/// A loaded model of any kind (<see cref="ModelDefinition.Kind"/>) with its manifest: the thread-safe
/// <see cref="Scorer"/> that serving, evaluation and the tests score with.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    /// <summary>The file name of the saved model in a model's folder, whatever its kind.</summary>
    public const string FileName = "model.zip";

    private TrainedModel(ModelDefinition definition, ModelScorer scorer, ModelManifest? manifest, ReadOnlyMemory<byte> manifestJson = default)
    {
        Definition = definition;
        Scorer = scorer;
        Manifest = manifest;
        ManifestJson = manifestJson;
    }

    /// <summary>The definition the model was loaded for.</summary>
    public ModelDefinition Definition { get; }

    /// <summary>Scores batches of rows with the model; thread-safe.</summary>
    public ModelScorer Scorer { get; }

    /// <summary>The fitted ML.NET pipeline of a model of <see cref="MlNetKind"/>; null for the other kinds.</summary>
    public ITransformer? Transformer => (Scorer as MlNetScorer)?.Transformer;

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
    public static TrainedModel Load(string modelPath, ModelDefinition definition, ModelFileLimits? limits = null, CancellationToken cancellationToken = default)
    {
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
        if (manifest?.Kind is { } kind && kind != definition.Kind.Name)
        {
            throw new ModelLoadException(
                $"Model file '{modelPath}' is a model of kind {kind}, but model '{definition.Name}' is of kind {definition.Kind.Name}.", "model file is of another kind");
        }

        return Opened(definition, archive, modelPath, manifest, manifestJson);
    }

    /// <summary>Wraps an in-memory pipeline, as training does before saving it.</summary>
    public static TrainedModel FromTransformer(ModelDefinition definition, ITransformer transformer, ModelManifest? manifest = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(transformer);
        return new(definition, new MlNetScorer(new MLContext(), definition, transformer), manifest);
    }

    /// <summary>Opens a model of the definition's kind from the bytes of its <c>model.zip</c> (a packaged import, before it is saved).</summary>
    /// <exception cref="ModelLoadException">The archive is not a usable model of the definition, or fails the canary.</exception>
    public static TrainedModel FromArchive(ModelDefinition definition, byte[] archive, string path, ModelManifest? manifest = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Opened(definition, archive, path, manifest, default);
    }

    /// <summary>Scores rows with the model (<see cref="ModelScorer.Score"/>).</summary>
    public Outcome[] Score(IReadOnlyList<FeatureRow> rows) => Scorer.Score(rows);

    /// <summary>Releases the model's scorer.</summary>
    public void Dispose() => Scorer.Dispose();

    /// <summary>
    /// A prediction engine of an ML.NET model with the output type of its task (<see cref="BinaryPrediction"/>,
    /// <see cref="MulticlassPrediction"/> or <see cref="RegressionPrediction"/>). Not thread-safe.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not of <see cref="MlNetKind"/>.</exception>
    public PredictionEngine<FeatureRow, TPrediction> CreateEngine<TPrediction>()
        where TPrediction : class, new() =>
        (Scorer as MlNetScorer ?? throw new InvalidOperationException($"Model '{Definition.Name}' is of kind {Definition.Kind.Name}, not an ML.NET pipeline."))
            .CreateEngine<TPrediction>();

    /// <summary>The canary row of the definition, validated.</summary>
    public FeatureRow CanaryRow()
    {
        var errors = new List<FeatureError>();
        return Definition.Validate(Definition.Canary, errors)
            ?? throw new ModelLoadException(
                $"The canary of model '{Definition.Name}' is not valid: {string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"))}.");
    }

    /// <summary>Opens the archive through the definition's kind and runs the canary; a model that fails it is released.</summary>
    private static TrainedModel Opened(ModelDefinition definition, byte[] archive, string path, ModelManifest? manifest, ReadOnlyMemory<byte> manifestJson)
    {
        var model = new TrainedModel(definition, definition.Kind.Open(archive, definition, path), manifest, manifestJson);
        try
        {
            model.VerifyCanary();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A model that cannot score a typical row, or scores it as something its task cannot produce, must never serve.</summary>
    private void VerifyCanary()
    {
        var canary = CanaryRow();
        string? problem;
        try
        {
            var outcomes = Scorer.Score([canary]);
            problem = outcomes.Length != 1 ? $"{outcomes.Length} predictions for one row" : Check(outcomes[0]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or ModelLoadException)
        {
            throw new ModelLoadException($"Model '{Version}' cannot score the canary row: {ex.Message}", "model failed its canary prediction", ex);
        }

        if (problem is not null)
        {
            throw new ModelLoadException($"Model '{Version}' scored the canary row as {problem}.", "model failed its canary prediction");
        }
    }

    private string? Check(Outcome outcome)
    {
        var classes = Definition.Label.Classes;
        return outcome switch
        {
            BinaryOutcome binary when Definition.Task == ModelTask.Binary =>
                float.IsFinite(binary.Probability) && binary.Probability is >= 0 and <= 1 ? null : $"{binary.Probability}, not a probability",
            MulticlassOutcome multiclass when Definition.Task == ModelTask.Multiclass =>
                !classes.Contains(multiclass.Label, StringComparer.Ordinal)
                    ? $"'{multiclass.Label}', not one of {string.Join(", ", classes)}"
                    : multiclass.Probabilities.Length == classes.Count && multiclass.Probabilities.All(p => float.IsFinite(p) && p is >= 0 and <= 1)
                        ? null
                        : $"[{string.Join(", ", multiclass.Probabilities)}], not one probability per class ({classes.Count})",
            RegressionOutcome regression when Definition.Task == ModelTask.Regression =>
                float.IsFinite(regression.Value) ? null : $"{regression.Value}, not a finite number",
            _ => $"a {outcome.GetType().Name}, not a prediction of a {Definition.Task.ToText()} task",
        };
    }
}
