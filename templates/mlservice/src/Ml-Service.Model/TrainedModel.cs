using Microsoft.ML;

namespace Ml_Service.Model;

/// <summary>A fitted pipeline (features + trainer) and its manifest, loaded from a model folder.</summary>
public sealed class TrainedModel
{
    public const string FileName = "model.zip";

    private TrainedModel(ITransformer transformer, ModelManifest? manifest)
    {
        Transformer = transformer;
        Manifest = manifest;
    }

    public ITransformer Transformer { get; }

    public ModelManifest? Manifest { get; }

    public string Version => Manifest?.Version ?? "unversioned";

    /// <summary>Loads <c>model.zip</c> and the <c>manifest.json</c> beside it, then runs a canary prediction.</summary>
    /// <exception cref="ModelLoadException">The model is missing, corrupt, or cannot score the canary row.</exception>
    public static TrainedModel Load(MLContext ml, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(ml);
        if (!File.Exists(modelPath))
        {
            throw new ModelLoadException($"Model file '{modelPath}' does not exist. Train one first (make train).");
        }

        ITransformer transformer;
        try
        {
            transformer = ml.Model.Load(modelPath, out _);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ModelLoadException($"Model file '{modelPath}' is corrupt or was not written by this trainer: {ex.Message}", ex);
        }

        var manifest = ModelManifest.Load(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, ModelManifest.FileName));
        var model = new TrainedModel(transformer, manifest);
        model.VerifyCanary(ml);
        return model;
    }

    /// <summary>Wraps an in-memory pipeline, as training does before saving it.</summary>
    public static TrainedModel FromTransformer(ITransformer transformer, ModelManifest? manifest = null) =>
        new(transformer, manifest);

    public PredictionEngine<ChurnFeatures, ChurnScore> CreateEngine(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return ml.Model.CreatePredictionEngine<ChurnFeatures, ChurnScore>(Transformer);
    }

    /// <summary>A model that cannot score a typical row, or scores it as NaN, must never serve.</summary>
    private void VerifyCanary(MLContext ml)
    {
        float probability;
        try
        {
            using var engine = CreateEngine(ml);
            probability = engine.Predict(FeatureSchema.Canary).Probability;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new ModelLoadException($"Model '{Version}' cannot score the canary row: {ex.Message}", ex);
        }

        if (!float.IsFinite(probability) || probability is < 0 or > 1)
        {
            throw new ModelLoadException($"Model '{Version}' scored the canary row as {probability}, not a probability.");
        }
    }
}
