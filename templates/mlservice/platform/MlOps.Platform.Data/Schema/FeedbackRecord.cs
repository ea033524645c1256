namespace MlOps.Platform.Data.Schema;

/// <summary>What really happened after a prediction: a row of table <c>feedback</c>. A later row about the same prediction corrects an earlier one.</summary>
public sealed class FeedbackRecord
{
    /// <summary>Longest truth stored (a class name or a number).</summary>
    public const int MaxTruthLength = 256;

    /// <summary>Longest source stored.</summary>
    public const int MaxSourceLength = 64;

    /// <summary>The feedback's id (a version 7 UUID).</summary>
    public Guid Id { get; set; }

    /// <summary>The prediction it is about; deleting the prediction deletes its feedback.</summary>
    public Guid PredictionId { get; set; }

    /// <summary>The true label or value as text, in the form of the model's label: <c>true</c>/<c>false</c>, a class, a number.</summary>
    public string Truth { get; set; } = string.Empty;

    /// <summary>When the feedback arrived (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>Who reported it (a system or process name), if the caller said.</summary>
    public string? Source { get; set; }

    /// <summary>The prediction it is about.</summary>
    public PredictionRecord? Prediction { get; set; }
}
