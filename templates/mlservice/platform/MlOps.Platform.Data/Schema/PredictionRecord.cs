namespace MlOps.Platform.Data.Schema;

/// <summary>One served prediction: a row of table <c>predictions</c>. Written once, never updated; deleted by retention only.</summary>
public sealed class PredictionRecord
{
    /// <summary>Longest model name, version or request id stored (a manifest's fields are at most 128 characters).</summary>
    public const int MaxNameLength = 128;

    /// <summary>The prediction's id, given to the client in <c>X-Prediction-Ids</c>: a version 7 UUID, so ids of one period are neighbours in the key's index.</summary>
    public Guid Id { get; set; }

    /// <summary>The model's name (its route name).</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>The version of the model that made the prediction, from its manifest.</summary>
    public string ModelVersion { get; set; } = string.Empty;

    /// <summary>The request's correlation id, as in its log lines; the instances of one batch share it.</summary>
    public string RequestId { get; set; } = string.Empty;

    /// <summary>When the prediction was served (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>The instance as JSON in the model's schema (inputs mode <c>store</c>), its SHA-256 (<c>hash</c>), or null (<c>omit</c>).</summary>
    public string? Inputs { get; set; }

    /// <summary>What the client received for the instance, as JSON (the predict response's element).</summary>
    public string Outputs { get; set; } = string.Empty;

    /// <summary>Milliseconds from the handler's start to the scores of the request's batch.</summary>
    public double LatencyMs { get; set; }

    /// <summary>The truths reported for this prediction.</summary>
    public ICollection<FeedbackRecord> Feedback { get; } = [];
}
