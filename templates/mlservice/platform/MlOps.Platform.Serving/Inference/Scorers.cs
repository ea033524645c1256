using Microsoft.ML;

namespace MlOps.Platform.Serving.Inference;

/// <summary>What a model predicted for one instance, whatever its task.</summary>
public abstract record Outcome
{
    /// <summary>The class (binary: <c>true</c>/<c>false</c>) or <c>value</c> for a regression, as metrics label it.</summary>
    public abstract string MetricLabel { get; }

    /// <summary>False when the model produced NaN or an infinite number: nothing of the batch is answered.</summary>
    public abstract bool IsValid { get; }
}

/// <param name="Label">The predicted outcome.</param>
/// <param name="Probability">Calibrated probability of <c>true</c>.</param>
/// <param name="Score">Raw model score.</param>
public sealed record BinaryOutcome(bool Label, float Probability, float Score) : Outcome
{
    /// <inheritdoc />
    public override string MetricLabel => Label ? "true" : "false";

    /// <inheritdoc />
    public override bool IsValid => float.IsFinite(Probability) && float.IsFinite(Score);
}

/// <param name="Label">The most likely class.</param>
/// <param name="Probabilities">Probability of each class, in the order of the label's classes.</param>
#pragma warning disable CA1819 // An outcome is created once and read once.
public sealed record MulticlassOutcome(string Label, float[] Probabilities) : Outcome
#pragma warning restore CA1819
{
    /// <inheritdoc />
    public override string MetricLabel => Label;

    /// <inheritdoc />
    public override bool IsValid => Probabilities.All(float.IsFinite);
}

/// <param name="Value">The predicted number.</param>
public sealed record RegressionOutcome(float Value) : Outcome
{
    /// <summary>The metric label of every regression prediction.</summary>
    public const string Label = "value";

    /// <inheritdoc />
    public override string MetricLabel => Label;

    /// <inheritdoc />
    public override bool IsValid => float.IsFinite(Value);
}

/// <summary>One prediction engine of a model, of its task's output type. Not thread-safe: pooled.</summary>
public abstract class Scorer : IDisposable
{
    /// <summary>A scorer with a new prediction engine of <paramref name="model"/>, of the output type of its task.</summary>
    public static Scorer Create(MLContext ml, TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        return model.Definition.Task switch
        {
            ModelTask.Binary => new BinaryScorer(model.CreateEngine<BinaryPrediction>(ml)),
            ModelTask.Multiclass => new MulticlassScorer(model.CreateEngine<MulticlassPrediction>(ml)),
            _ => new RegressionScorer(model.CreateEngine<RegressionPrediction>(ml)),
        };
    }

    /// <summary>Predicts for one validated row.</summary>
    public abstract Outcome Score(FeatureRow row);

    /// <summary>Disposes the prediction engine.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the prediction engine; <paramref name="disposing"/> is true when called from <see cref="Dispose()"/>.</summary>
    protected abstract void Dispose(bool disposing);

    private sealed class BinaryScorer(PredictionEngine<FeatureRow, BinaryPrediction> engine) : Scorer
    {
        public override Outcome Score(FeatureRow row)
        {
            var p = engine.Predict(row);
            return new BinaryOutcome(p.PredictedLabel, p.Probability, p.Score);
        }

        protected override void Dispose(bool disposing) => engine.Dispose();
    }

    private sealed class MulticlassScorer(PredictionEngine<FeatureRow, MulticlassPrediction> engine) : Scorer
    {
        public override Outcome Score(FeatureRow row)
        {
            var p = engine.Predict(row);
            return new MulticlassOutcome(p.PredictedLabel, p.Score);
        }

        protected override void Dispose(bool disposing) => engine.Dispose();
    }

    private sealed class RegressionScorer(PredictionEngine<FeatureRow, RegressionPrediction> engine) : Scorer
    {
        public override Outcome Score(FeatureRow row) => new RegressionOutcome(engine.Predict(row).Score);

        protected override void Dispose(bool disposing) => engine.Dispose();
    }
}
