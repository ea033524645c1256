using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace MlOps.Platform.Serving.Endpoints;

/// <summary>
/// The KServe V1 prediction protocol for every model of the service: list, metadata/readiness and predict.
/// Each handler's return type names its outcomes; the status codes of its problem documents are listed
/// where it is mapped. The OpenAPI document has one metadata and one predict path per model
/// (<see cref="ModelPathsTransformer"/>), each with that model's instance and response schema.
/// </summary>
public static class PredictionEndpoints
{
    /// <summary>The response header of a prediction that names the version of the model that made it.</summary>
    public const string ModelVersionHeader = "X-Model-Version";

    /// <summary>
    /// The response header of a logged prediction: the id each instance's prediction is stored under, comma-separated
    /// in instance order, to send back with its feedback. Only when an <see cref="IPredictionLog"/> is registered
    /// and took the request (sampling, room in its queue).
    /// </summary>
    public const string PredictionIdsHeader = "X-Prediction-Ids";

    /// <summary>
    /// Maps the prediction routes under <c>/v1/models</c>, behind the service protections, and the routes of every
    /// registered <see cref="IModelEndpoints"/>; returns the group, so the application adds its own requirements,
    /// such as <c>RequireApiKey()</c>. When an <see cref="IPredictionLog"/> is registered, predictions go to it.
    /// </summary>
    public static RouteGroupBuilder MapPredictionEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var models = app.MapGroup("/v1/models").WithTags("Model");
        models.WithServiceProtections();

        models.MapGet("/", ListModels)
            .WithName("ListModels")
            .WithSummary("Lists the models this service serves, with each model's task and state.");

        models.MapGet("/{name}", GetMetadata)
            .WithName(ModelPathsTransformer.MetadataOperation)
            .WithSummary("Model metadata and readiness: 200 when ready to predict, 503 with the reason when not.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        // Resolved once: without a log, a request pays a few null checks for the feature.
        var log = app.Services.GetService<IPredictionLog>();
        var predict = models.MapPost(
                "/{name}:predict",
                (string name, HttpContext context, ServedModels served, IOptions<ServingOptions> options, CancellationToken cancellationToken) =>
                    Predict(name, context, served, options, log, cancellationToken))
            .WithName(ModelPathsTransformer.PredictOperation)
            .WithSummary("Predicts for a batch of instances.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        if (log is not null)
        {
            predict.AddOpenApiOperationTransformer(DocumentPredictionIds);
        }

        foreach (var endpoints in app.Services.GetServices<IModelEndpoints>())
        {
            endpoints.Map(models);
        }

        return models;
    }

    private static Ok<ModelList> ListModels(ServedModels models) =>
        TypedResults.Ok(new ModelList(
            models.Names,
            [.. models.All.Select(h => new ModelState(
                h.Definition.Name,
                h.Definition.Task,
                h.IsReady,
                h.Model?.Version,
                h.IsReady ? null : h.Status))]));

    /// <returns>200 with the metadata; a problem document: 404 unknown model, 503 no model loaded.</returns>
    private static Results<Ok<ModelMetadata>, ProblemHttpResult> GetMetadata(string name, ServedModels models)
    {
        if (models.Find(name) is not { } host)
        {
            return UnknownModel(name, models);
        }

        if (host.Model is not { } model)
        {
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, host.Status);
        }

        var definition = host.Definition;
        return TypedResults.Ok(new ModelMetadata(
            definition.Name,
            definition.Task,
            Ready: true,
            definition.Description,
            model.Version,
            model.Manifest?.Trainer,
            model.Manifest?.CreatedAt,
            model.Manifest?.Metrics,
            [.. definition.Features.Select(FeatureMetadata.Of)],
            definition.Task == ModelTask.Multiclass ? definition.Label.Classes : null));
    }

    /// <returns>
    /// 200 with one prediction per instance, shaped by the model's task; 400 naming every invalid field; a
    /// problem document: 404 unknown model, 413 body too large, 415 not JSON, 500 the model returned no
    /// number, 503 no model loaded.
    /// </returns>
    private static async Task<Results<Ok<BinaryPredictResponse>, Ok<MulticlassPredictResponse>, Ok<RegressionPredictResponse>, ValidationProblem, ProblemHttpResult>> Predict(
        string name,
        HttpContext context,
        ServedModels models,
        IOptions<ServingOptions> options,
        IPredictionLog? log,
        CancellationToken cancellationToken)
    {
        var started = log is null ? 0 : Stopwatch.GetTimestamp();
        if (models.Find(name) is not { } host)
        {
            return UnknownModel(name, models);
        }

        var request = await PredictRequestReader.ReadAsync(context.Request, host.Definition, options.Value, cancellationToken);
        if (request.Refused is { } refused)
        {
            return refused;
        }

        if (request.Invalid is { } invalid)
        {
            host.Metrics.RecordRejected(request.RejectedFields);
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
                $"Model {name} {scored.Model.Version} returned a score that is not a number for this input; nothing was predicted.");
        }

        var served = new Answer(log, context, host.Definition, scored.Model.Version, request.Instances!, started);
        return host.Definition.Task switch
        {
            ModelTask.Binary => TypedResults.Ok(new BinaryPredictResponse(served.Logged(
                [.. scored.Scores.Cast<BinaryOutcome>().Select(o => new BinaryInstancePrediction(o.Label, o.Probability, o.Score))]))),
            ModelTask.Multiclass => TypedResults.Ok(new MulticlassPredictResponse(served.Logged(
                [.. scored.Scores.Cast<MulticlassOutcome>().Select(o => new MulticlassInstancePrediction(o.Label, Probabilities(host.Definition, o)))]))),
            _ => TypedResults.Ok(new RegressionPredictResponse(served.Logged(
                [.. scored.Scores.Cast<RegressionOutcome>().Select(o => new RegressionInstancePrediction(o.Value))]))),
        };
    }

    /// <summary>States <see cref="PredictionIdsHeader"/> in the predict operation's 200 response (only when a log is registered).</summary>
    private static Task DocumentPredictionIds(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse ok)
        {
            ok.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal);
            ok.Headers[PredictionIdsHeader] = new OpenApiHeader
            {
                Description = "The id of each instance's prediction in the prediction log, comma-separated in instance order; "
                    + "send it with the feedback on that prediction. Absent when the request was not logged (sampling, or the log's queue was full).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        return Task.CompletedTask;
    }

    private static Dictionary<string, double> Probabilities(ModelDefinition model, MulticlassOutcome outcome)
    {
        var classes = model.Label.Classes;
        var probabilities = new Dictionary<string, double>(classes.Count, StringComparer.Ordinal);
        for (var i = 0; i < classes.Count; i++)
        {
            probabilities[classes[i]] = i < outcome.Probabilities.Length ? outcome.Probabilities[i] : 0;
        }

        return probabilities;
    }

    /// <summary>A scored request on its way out: hands its predictions to the log, if any, and names their ids in the response.</summary>
    private readonly record struct Answer(
        IPredictionLog? Log, HttpContext Context, ModelDefinition Model, string Version, IReadOnlyList<FeatureRow> Inputs, long Started)
    {
        public T[] Logged<T>(T[] predictions)
            where T : class
        {
            if (Log is not null)
            {
                var requestId = Context.Response.Headers[ServiceDefaults.CorrelationHeader] is [{ Length: > 0 } correlationId]
                    ? correlationId
                    : Context.TraceIdentifier;
                var served = new ServedPredictions(Model, Version, requestId, Inputs, predictions, Stopwatch.GetElapsedTime(Started));
                if (Log.TryWrite(served, out var ids))
                {
                    Context.Response.Headers[PredictionIdsHeader] = string.Join(',', ids);
                }
            }

            return predictions;
        }
    }

    private static ProblemHttpResult UnknownModel(string name, ServedModels models) =>
        Problems.Status(
            StatusCodes.Status404NotFound,
            $"No model named '{RoutingProblems.Cut(name)}'; this service serves {string.Join(", ", models.Names.Select(n => $"'{n}'"))}.");
}
