using System.Diagnostics.CodeAnalysis;

namespace MlOps.Platform.Serving.Inference;

/// <summary>
/// Where served predictions go to be stored (MlOps.Platform.Data's prediction log). Optional: when one is
/// registered, the predict endpoint hands it every answered request after scoring and returns the ids it
/// gives in <see cref="PredictionEndpoints.PredictionIdsHeader"/>; without one the endpoint does nothing more.
/// </summary>
public interface IPredictionLog
{
    /// <summary>
    /// Takes one request's predictions to be written later, without waiting and without throwing: a
    /// request is never slowed or failed by its log.
    /// </summary>
    /// <param name="predictions">The answered request.</param>
    /// <param name="ids">The ids the predictions are stored under, one per instance in request order.</param>
    /// <returns>False when they are not logged: left out by sampling, or dropped (and counted) because the queue is full.</returns>
    bool TryWrite(ServedPredictions predictions, [NotNullWhen(true)] out IReadOnlyList<Guid>? ids);
}

/// <summary>One answered predict request, as handed to the <see cref="IPredictionLog"/>.</summary>
/// <param name="Model">The model that was asked.</param>
/// <param name="Version">The version that scored the batch (from its manifest).</param>
/// <param name="RequestId">The request's correlation id (<see cref="ServiceDefaults.CorrelationHeader"/>), as in its log lines.</param>
/// <param name="Inputs">The validated instances, in request order.</param>
/// <param name="Outputs">What the client received for each instance, in request order: the task's instance prediction record (<see cref="BinaryInstancePrediction"/>, ...).</param>
/// <param name="Latency">From the start of the handler to the scores: reading, validating and scoring the batch.</param>
public sealed record ServedPredictions(
    ModelDefinition Model,
    string Version,
    string RequestId,
    IReadOnlyList<FeatureRow> Inputs,
    IReadOnlyList<object> Outputs,
    TimeSpan Latency);
