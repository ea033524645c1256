using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Platform.Data.Feedback;

/// <summary>What really happened after a prediction, as a client reports it.</summary>
/// <param name="PredictionId">The prediction's id, from the <c>X-Prediction-Ids</c> header of its answer.</param>
/// <param name="Truth">The true label or value, as in the model's training data: <c>true</c>/<c>false</c> (a JSON boolean or string) for a binary model, one of its classes for a multiclass model, a number for a regression.</param>
/// <param name="Source">Who reports it (a system or process name, 1 to 64 visible ASCII characters); optional.</param>
public sealed record FeedbackRequest(
    [property: JsonPropertyName("prediction_id")] string? PredictionId,
    [property: JsonPropertyName("truth")] JsonElement Truth,
    [property: JsonPropertyName("source")] string? Source);

/// <summary>The feedback was recorded.</summary>
/// <param name="FeedbackId">The id of the recorded feedback.</param>
/// <param name="PredictionId">The prediction it is about.</param>
public sealed record FeedbackReceipt(
    [property: JsonPropertyName("feedback_id")] Guid FeedbackId,
    [property: JsonPropertyName("prediction_id")] Guid PredictionId);
