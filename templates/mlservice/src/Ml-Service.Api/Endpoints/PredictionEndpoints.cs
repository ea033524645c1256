using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Ml_Service.Api.Endpoints;

/// <summary>
/// The KServe V1 prediction protocol: list, metadata/readiness and predict. Each handler's return type
/// names its outcomes (the OpenAPI document takes the 200 and 400 bodies from it); the status codes of
/// its problem documents are listed where it is mapped.
/// </summary>
public static class PredictionEndpoints
{
    public const string ModelVersionHeader = "X-Model-Version";

    public static WebApplication MapPredictionEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var models = app.MapGroup("/v1/models").WithTags("Model");
        models.WithServiceProtections();
#if (ApiKeyAuth)
        models.RequireApiKey();
#endif

        models.MapGet("/", ListModels)
            .WithName("ListModels")
            .WithSummary("Lists the models this service serves.");

        models.MapGet("/{name}", GetMetadata)
            .WithName("GetModel")
            .WithSummary("Model metadata and readiness: 200 when ready to predict, 503 with the reason when not.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        models.MapPost("/{name}:predict", Predict)
            .WithName("Predict")
            .WithSummary("Predicts churn for a batch of customers.")
            .Accepts<PredictRequest>("application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    private static Ok<ModelList> ListModels(IOptions<ServingOptions> options) =>
        TypedResults.Ok(new ModelList([options.Value.Name]));

    /// <returns>200 with the metadata; a problem document: 404 unknown model, 503 no model loaded.</returns>
    private static Results<Ok<ModelMetadata>, ProblemHttpResult> GetMetadata(
        string name,
        ModelHost host,
        IOptions<ServingOptions> options)
    {
        if (UnknownModel(name, options.Value) is { } notFound)
        {
            return notFound;
        }

        if (host.Model is not { } model)
        {
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, host.Status);
        }

        return TypedResults.Ok(new ModelMetadata(
            options.Value.Name,
            Ready: true,
            model.Version,
            model.Manifest?.Trainer,
            model.Manifest?.CreatedAt,
            model.Manifest?.Metrics));
    }

    /// <returns>
    /// 200 with one prediction per instance; 400 naming every invalid field; a problem document: 404 unknown
    /// model, 413 body too large, 415 not JSON, 500 the model returned no number, 503 no model loaded.
    /// </returns>
    private static async Task<Results<Ok<PredictResponse>, ValidationProblem, ProblemHttpResult>> Predict(
        string name,
        HttpContext context,
        ModelHost host,
        ServingMetrics metrics,
        IOptions<ServingOptions> options,
        CancellationToken cancellationToken)
    {
        if (UnknownModel(name, options.Value) is { } notFound)
        {
            return notFound;
        }

        var request = await PredictRequestReader.ReadAsync(context.Request, options.Value, cancellationToken);
        if (request.Refused is { } refused)
        {
            return refused;
        }

        if (request.Invalid is { } invalid)
        {
            metrics.RecordRejected(request.RejectedFields);
            return invalid;
        }

        // Scored by whichever model serves at this moment; a hot reload never fails the request.
        if (host.Predict(request.Instances!) is not { } scored)
        {
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, host.Status);
        }

        context.Response.Headers[ModelVersionHeader] = scored.Model.Version;
        if (scored.HasInvalidScore)
        {
            return Problems.Status(
                StatusCodes.Status500InternalServerError,
                $"Model {scored.Model.Version} returned a score that is not a number for this input; nothing was predicted.");
        }

        return TypedResults.Ok(new PredictResponse(
            scored.Scores.Select(s => new Prediction(s.PredictedLabel, s.Probability, s.Score)).ToList()));
    }

    private static ProblemHttpResult? UnknownModel(string name, ServingOptions options) =>
        string.Equals(name, options.Name, StringComparison.Ordinal)
            ? null
            : Problems.Status(StatusCodes.Status404NotFound, $"No model named '{name}'; this service serves '{options.Name}'.");
}
