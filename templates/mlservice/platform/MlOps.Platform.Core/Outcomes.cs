namespace MlOps.Platform;

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
