using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MlOps.Platform.Data.Schema;
using MlOps.Platform.Serving.Endpoints;
using MlOps.Platform.Serving.Hosting;
using MlOps.Platform.Serving.Inference;

namespace MlOps.Platform.Data.Feedback;

/// <summary>
/// <c>POST /v1/models/{name}/feedback</c>: records the truth about a logged prediction, so live quality and the
/// export of labelled traffic can join the two. Written at once (a client that is told 202 can rely on it), unlike
/// predictions; a prediction is found once the log has written it, within about the flush interval.
/// </summary>
public static class FeedbackEndpoints
{
    /// <summary>The route's operation id.</summary>
    public const string Operation = "RecordFeedback";

    /// <summary>
    /// Maps the feedback route on <paramref name="models"/>, the <c>/v1/models</c> group.
    /// <see cref="PredictionLogExtensions.AddPredictionLog(WebApplicationBuilder)"/> has <c>MapPredictionEndpoints</c> call it; call it
    /// yourself only on a group of your own.
    /// </summary>
    public static RouteHandlerBuilder MapFeedbackEndpoints(this IEndpointRouteBuilder models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return models.MapPost("/{name}/feedback", RecordAsync)
            .WithName(Operation)
            .WithSummary("Records what really happened after a logged prediction (its true label or value).")
            .Accepts<FeedbackRequest>("application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    /// <returns>202 with the feedback's id; 400 naming the invalid field; a problem document: 404 unknown model or prediction, 413 body too large, 415 not JSON, 503 the database is unavailable (nothing recorded).</returns>
    private static async Task<Results<Accepted<FeedbackReceipt>, ValidationProblem, ProblemHttpResult>> RecordAsync(
        string name,
        HttpRequest request,
        ServedModels models,
        PredictionDatabase database,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (models.Find(name) is not { } host)
        {
            return Problems.Status(
                StatusCodes.Status404NotFound,
                $"No model named '{RoutingProblems.Cut(name)}'; this service serves {string.Join(", ", models.Names.Select(n => $"'{n}'"))}.");
        }

        var (feedback, refused) = await FeedbackRequestReader.ReadAsync(request, cancellationToken);
        switch (refused)
        {
            case ValidationProblem invalid:
                return invalid;
            case ProblemHttpResult problem:
                return problem;
        }

        if (!Guid.TryParseExact(feedback!.PredictionId, "D", out var predictionId))
        {
            return Problems.Invalid("prediction_id", "is required: the id of the prediction from its X-Prediction-Ids header (a UUID)");
        }

        if (Truth(host.Definition, feedback.Truth, out var truthError) is not { } truth)
        {
            return Problems.Invalid("truth", truthError!);
        }

        if (feedback.Source is { } source && !(source.Length is > 0 and <= FeedbackRecord.MaxSourceLength && source.All(c => c is > ' ' and <= '~')))
        {
            return Problems.Invalid("source", $"must be 1 to {FeedbackRecord.MaxSourceLength} visible ASCII characters");
        }

        var now = time.GetUtcNow();
        var record = new FeedbackRecord
        {
            Id = Guid.CreateVersion7(now),
            PredictionId = predictionId,
            Truth = truth,
            CreatedAt = now.UtcDateTime,
            Source = feedback.Source,
        };
        try
        {
            await using var context = database.CreateContext();
            if (!await context.Predictions.AnyAsync(p => p.Id == predictionId && p.Model == name, cancellationToken))
            {
                return UnknownPrediction(name, predictionId);
            }

            context.Feedback.Add(record);
            try
            {
                await context.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Retention may have deleted the prediction between the check and the insert: the foreign key refused it.
                if (!await PredictionExistsAsync(database, predictionId, cancellationToken))
                {
                    return UnknownPrediction(name, predictionId);
                }

                throw;
            }
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or TimeoutException || ex is InvalidOperationException { InnerException: DbException or TimeoutException })
        {
            // Nothing was recorded; the caller may send it again.
            return Problems.Status(
                StatusCodes.Status503ServiceUnavailable,
                "The prediction log's database is unavailable, so the feedback was not recorded; send it again later.");
        }

        return TypedResults.Accepted((string?)null, new FeedbackReceipt(record.Id, predictionId));
    }

    private static ProblemHttpResult UnknownPrediction(string name, Guid predictionId) => Problems.Status(
        StatusCodes.Status404NotFound,
        $"Model '{name}' has no logged prediction {predictionId}: it was not logged (sampling, or dropped while the database was unavailable), "
        + "has been deleted by retention, or is not written yet (retry in a second).");

    private static async Task<bool> PredictionExistsAsync(PredictionDatabase database, Guid predictionId, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        return await context.Predictions.AnyAsync(p => p.Id == predictionId, cancellationToken);
    }

    /// <summary>The truth as the model's label text (<c>true</c>, <c>premium</c>, <c>12.5</c>); null, with the reason, when it is not a valid label of the model.</summary>
    private static string? Truth(ModelDefinition model, JsonElement truth, out string? error)
    {
        // A JSON boolean is the natural truth of a binary model; the label rules read text, as in the training CSV.
        var value = truth.ValueKind switch
        {
            JsonValueKind.True => RawValue.Of("true"),
            JsonValueKind.False => RawValue.Of("false"),
            _ => RawValue.FromJson(truth),
        };
        error = model.LabelError(value);
        if (error is not null)
        {
            return null;
        }

        return value.Kind == RawKind.Number ? value.Number.ToString(CultureInfo.InvariantCulture) : value.Text;
    }
}
