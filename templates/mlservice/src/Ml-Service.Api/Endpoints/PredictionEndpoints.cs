using Microsoft.Extensions.Options;

namespace Ml_Service.Api.Endpoints;

/// <summary>The KServe V1 prediction protocol: list, metadata/readiness and predict.</summary>
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

        models.MapGet("/", (IOptions<ServingOptions> options) => TypedResults.Ok(new ModelList([options.Value.Name])))
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
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    private static IResult GetMetadata(string name, ModelHost host, IOptions<ServingOptions> options)
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

    private static async Task<IResult> Predict(
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
        if (request.Error is not null)
        {
            metrics.RecordRejected(request.RejectedFields);
            return request.Error;
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

    private static IResult? UnknownModel(string name, ServingOptions options) =>
        string.Equals(name, options.Name, StringComparison.Ordinal)
            ? null
            : Problems.Status(StatusCodes.Status404NotFound, $"No model named '{name}'; this service serves '{options.Name}'.");
}
