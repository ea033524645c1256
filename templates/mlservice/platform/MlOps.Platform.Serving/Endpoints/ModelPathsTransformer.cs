using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace MlOps.Platform.Serving.Endpoints;

/// <summary>
/// Writes one metadata path (<c>/v1/models/fraud</c>) and one predict path (<c>/v1/models/fraud:predict</c>)
/// per model into the OpenAPI document, in place of the routes' <c>{name}</c> templates, each with that
/// model's schemas, taken from its <see cref="ModelDefinition"/>: the instance (per feature its JSON type,
/// <c>integer</c> for whole numbers, range and allowed categories; every feature required and no other
/// property), the request (1 to <c>Model:MaxBatchSize</c> instances) and the response of its task. A client
/// generated from the document then sends what the service accepts and reads what it answers.
/// </summary>
public sealed class ModelPathsTransformer(IOptions<ServingOptions> options) : IOpenApiDocumentTransformer
{
    /// <summary>The operation id of the generic metadata route, and the start of each model's (<c>GetModelFraud</c>).</summary>
    public const string MetadataOperation = "GetModel";
    /// <summary>The operation id of the generic predict route, and the start of each model's (<c>PredictFraud</c>).</summary>
    public const string PredictOperation = "Predict";

    private const string Json = "application/json";
    private const string MetadataTemplate = "/v1/models/{name}";
    private const string PredictTemplate = "/v1/models/{name}:predict";

    /// <summary>Schemas of the generic handler's results, replaced by each model's own.</summary>
    private static readonly string[] s_replacedSchemas =
    [
        nameof(BinaryPredictResponse), nameof(BinaryInstancePrediction),
        nameof(MulticlassPredictResponse), nameof(MulticlassInstancePrediction),
        nameof(RegressionPredictResponse), nameof(RegressionInstancePrediction),
    ];

    /// <summary>The class-name form of a model name (<c>fraud</c> → <c>Fraud</c>), used in operation ids and schema names.</summary>
    public static string Prefix(string model)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        return char.ToUpperInvariant(model[0]) + model[1..];
    }

    /// <summary>The operation id of a model's metadata path (<c>GetModelFraud</c>).</summary>
    public static string MetadataOperationOf(string model) => MetadataOperation + Prefix(model);

    /// <summary>The operation id of a model's predict path (<c>PredictFraud</c>).</summary>
    public static string PredictOperationOf(string model) => PredictOperation + Prefix(model);

    /// <summary>Replaces the <c>{name}</c> metadata and predict paths with one pair per model, with each model's schemas; leaves a document without those paths unchanged.</summary>
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Paths is not { } paths
            || !paths.TryGetValue(MetadataTemplate, out var metadataItem)
            || !paths.TryGetValue(PredictTemplate, out var predictItem)
            || metadataItem.Operations?.GetValueOrDefault(HttpMethod.Get) is not { } metadata
            || predictItem.Operations?.GetValueOrDefault(HttpMethod.Post) is not { } predict)
        {
            return Task.CompletedTask;
        }

        // Rebuilt rather than edited in place (a dictionary reuses removed slots): the models' paths first, in
        // name order, then the others, so every model's entries are followed by one that is always there.
        var ordered = new OpenApiPaths();
        document.Components ??= new OpenApiComponents();
        var schemas = document.Components.Schemas ?? new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var name in s_replacedSchemas)
        {
            schemas.Remove(name);
        }

        foreach (var model in ModelCatalog.All)
        {
            var prefix = Prefix(model.Name);
            schemas[prefix + "Instance"] = Instance(model);
            schemas[prefix + "PredictRequest"] = Request(document, prefix, options.Value.MaxBatchSize);
            schemas[prefix + "Prediction"] = Prediction(model);
            schemas[prefix + "PredictResponse"] = Response(document, prefix);

            var getModel = ForModel(metadata, MetadataOperationOf(model.Name), $"Metadata and readiness of model '{model.Name}' ({model.Task.ToText()}): 200 when ready to predict, 503 with the reason when not.");
            ordered[$"/v1/models/{model.Name}"] = new OpenApiPathItem { Operations = new() { [HttpMethod.Get] = getModel } };

            var predictModel = ForModel(predict, PredictOperationOf(model.Name), $"{model.Description} For a batch of instances.");
            predictModel.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    [Json] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(prefix + "PredictRequest", document) },
                },
            };
            predictModel.Responses ??= [];
            predictModel.Responses["200"] = new OpenApiResponse
            {
                Description = "OK",
                Headers = predictModel.Responses.GetValueOrDefault("200")?.Headers, // the route's, such as the prediction ids
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    [Json] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(prefix + "PredictResponse", document) },
                },
            };
            ordered[$"/v1/models/{model.Name}:predict"] = new OpenApiPathItem { Operations = new() { [HttpMethod.Post] = predictModel } };
        }

        foreach (var (path, item) in paths.Where(p => p.Key is not (MetadataTemplate or PredictTemplate)))
        {
            ordered[path] = item;
        }

        document.Paths = ordered;
        document.Components.Schemas = schemas
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        return Task.CompletedTask;
    }

    /// <summary>A copy of the route's operation for one model: its own id and summary, no <c>name</c> parameter.</summary>
    private static OpenApiOperation ForModel(OpenApiOperation template, string operationId, string summary)
    {
        var operation = new OpenApiOperation(template) { OperationId = operationId, Summary = summary };
        operation.Parameters = operation.Parameters?.Where(p => p.Name != "name").ToList();
        if (operation.Parameters is { Count: 0 })
        {
            operation.Parameters = null;
        }

        return operation;
    }

    private static OpenApiSchema Instance(ModelDefinition model) => new()
    {
        Type = JsonSchemaType.Object,
        Description = $"One instance of model '{model.Name}': {model.Description}",
        Properties = model.Features.ToDictionary(f => f.Name, f => (IOpenApiSchema)Describe(f), StringComparer.Ordinal),
        Required = new HashSet<string>(model.Features.Select(f => f.Name), StringComparer.Ordinal),
        AdditionalPropertiesAllowed = false,
    };

    private static OpenApiSchema Describe(FeatureColumn column) => column switch
    {
        NumericFeature numeric => new OpenApiSchema
        {
            Type = numeric.WholeNumber ? JsonSchemaType.Integer : JsonSchemaType.Number,
            Minimum = numeric.Min.ToString(CultureInfo.InvariantCulture),
            Maximum = numeric.Max.ToString(CultureInfo.InvariantCulture),
            Description = Text(column.Description),
        },
        CategoricalFeature categorical => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [.. categorical.Allowed.Select(category => (JsonNode)JsonValue.Create(category))],
            Description = Text(column.Description),
        },
        _ => throw new NotSupportedException($"Feature '{column.Name}' is a {column.GetType().Name}, which the OpenAPI document cannot describe yet."),
    };

    /// <summary>The body of a predict request: <c>instances</c> only, 1 to the batch limit of them (the reader refuses anything else).</summary>
    private static OpenApiSchema Request(OpenApiDocument document, string prefix, int maxBatchSize) => new()
    {
        Type = JsonSchemaType.Object,
        Description = "KServe V1 predict request: the instances to score.",
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            [PredictRequestReader.InstancesField] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchemaReference(prefix + "Instance", document),
                MinItems = 1,
                MaxItems = maxBatchSize,
            },
        },
        Required = new HashSet<string>([PredictRequestReader.InstancesField], StringComparer.Ordinal),
        AdditionalPropertiesAllowed = false,
    };

    private static OpenApiSchema Response(OpenApiDocument document, string prefix) => new()
    {
        Type = JsonSchemaType.Object,
        Description = "KServe V1 predict response: one prediction per instance, in request order.",
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["predictions"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchemaReference(prefix + "Prediction", document),
            },
        },
        Required = new HashSet<string>(["predictions"], StringComparer.Ordinal),
    };

    /// <summary>What one instance gets back, by task (the records of <see cref="PredictionEndpoints"/>' results).</summary>
    private static OpenApiSchema Prediction(ModelDefinition model)
    {
        var properties = model.Task switch
        {
            ModelTask.Binary => new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["label"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "The predicted outcome." },
                ["probability"] = Probability("Calibrated probability of true."),
                ["score"] = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double", Description = "Raw model score." },
            },
            ModelTask.Multiclass => new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["label"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = [.. model.Label.Classes.Select(c => (JsonNode)JsonValue.Create(c))],
                    Description = "The most likely class.",
                },
                ["probabilities"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Probability of each class, by class name; they add up to 1.",
                    Properties = model.Label.Classes.ToDictionary(c => c, _ => (IOpenApiSchema)Probability(null), StringComparer.Ordinal),
                    Required = new HashSet<string>(model.Label.Classes, StringComparer.Ordinal),
                    AdditionalPropertiesAllowed = false,
                },
            },
            _ => new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["value"] = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double", Description = $"The predicted {model.Label.Name}." },
            },
        };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = $"The prediction of model '{model.Name}' ({model.Task.ToText()}) for one instance.",
            Properties = properties,
            Required = new HashSet<string>(properties.Keys, StringComparer.Ordinal),
            AdditionalPropertiesAllowed = false,
        };
    }

    private static OpenApiSchema Probability(string? description) => new()
    {
        Type = JsonSchemaType.Number,
        Format = "double",
        Minimum = "0",
        Maximum = "1",
        Description = description,
    };

    private static string? Text(string description) => string.IsNullOrWhiteSpace(description) ? null : description;
}

/// <summary>Registers the prediction contract: what the OpenAPI document says about the predict endpoints and how JSON numbers are read.</summary>
public static class PredictionContractRegistration
{
    /// <summary>
    /// Makes the OpenAPI document "v1" state what the service enforces: <see cref="ModelPathsTransformer"/>
    /// writes each model's paths and schemas, and JSON numbers are numbers only. (The web defaults also read
    /// numbers written as strings, and the document would say "number or string"; no endpoint binds a body that
    /// way, the predict body is read by <see cref="PredictRequestReader"/>, which refuses strings.)
    /// </summary>
    public static IServiceCollection AddPredictionContract(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        return services.Configure<OpenApiOptions>("v1", options => options.AddDocumentTransformer<ModelPathsTransformer>());
    }
}
