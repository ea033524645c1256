namespace MlOps.Platform.Onnx;

/// <summary>How a graph's inputs and outputs bind to a model's features and its task's prediction.</summary>
public sealed record OnnxBinding
{
    /// <summary>
    /// The one input that takes every numeric feature as a tensor of shape [batch, features], in the order of
    /// <see cref="ModelDefinition.NumericFeatures"/> (then the derived features); null when the graph has one input
    /// per feature, named as the feature, of shape [batch, 1] or [batch].
    /// </summary>
    public string? FeaturesInput { get; init; }

    /// <summary>The output read: probabilities, logits or a sequence of maps for a classifier; the value for a regression.</summary>
    public required string Output { get; init; }

    /// <summary>What the output holds (<see cref="OnnxScores"/>).</summary>
    public required OnnxScores Scores { get; init; }

    /// <summary>
    /// For a classifier, the key of each class in the output: the map key of a sequence of maps, or the column of a
    /// tensor, as text. A multiclass model lists them in the order of <see cref="LabelColumn.Classes"/>; a binary one
    /// lists the key of <c>false</c>, then of <c>true</c> (a single-column output needs only its own column, 0).
    /// </summary>
    public IReadOnlyList<string> ClassKeys { get; init; } = [];
}

/// <summary>What a graph's output holds.</summary>
public enum OnnxScores
{
    /// <summary>Probabilities: one column per class (a tensor), one map per row (scikit-learn's ZipMap), or one column of the positive class.</summary>
    Probabilities,

    /// <summary>Raw scores that softmax (one column per class) or the logistic function (one column) turns into probabilities.</summary>
    Logits,

    /// <summary>The predicted number of a regression, shape [batch] or [batch, 1].</summary>
    Value,
}
