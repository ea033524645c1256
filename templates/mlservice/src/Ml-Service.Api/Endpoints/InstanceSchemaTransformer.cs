using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Ml_Service.Api.Endpoints;

/// <summary>
/// Writes the rules that <see cref="PredictRequestReader"/> enforces into the OpenAPI document, taken from
/// the one <see cref="FeatureSchema"/>: per feature its JSON type (<c>integer</c> for whole numbers), range
/// and allowed categories; every feature required and no other property; 1 to <c>Model:MaxBatchSize</c>
/// instances per request. A client generated from the document then sends what the service accepts.
/// </summary>
public sealed class InstanceSchemaTransformer(IOptions<ServingOptions> options) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (context.JsonPropertyInfo is null && context.JsonTypeInfo.Type == typeof(ChurnFeatures))
        {
            DescribeInstance(schema);
        }
        else if (context.JsonPropertyInfo is null && context.JsonTypeInfo.Type == typeof(PredictRequest))
        {
            DescribeRequest(schema, options.Value.MaxBatchSize);
        }

        return Task.CompletedTask;
    }

    private static void DescribeInstance(OpenApiSchema schema)
    {
        // Rebuilt from the feature schema, in its order; the descriptions come from ChurnFeatures' doc comments.
        var documented = schema.Properties ?? new Dictionary<string, IOpenApiSchema>();
        schema.Properties = FeatureSchema.Columns.ToDictionary(
            column => column.Name,
            column => (IOpenApiSchema)Describe(column, documented.TryGetValue(column.Name, out var d) ? d.Description : null),
            StringComparer.Ordinal);
        schema.Required = new HashSet<string>(FeatureSchema.Columns.Select(c => c.Name), StringComparer.Ordinal);
        schema.AdditionalPropertiesAllowed = false;
    }

    private static OpenApiSchema Describe(FeatureColumn column, string? description) => column switch
    {
        NumericFeature numeric => new OpenApiSchema
        {
            Type = numeric.WholeNumber ? JsonSchemaType.Integer : JsonSchemaType.Number,
            Minimum = numeric.Min.ToString(CultureInfo.InvariantCulture),
            Maximum = numeric.Max.ToString(CultureInfo.InvariantCulture),
            Description = description,
        },
        CategoricalFeature categorical => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [.. categorical.Allowed.Select(category => (JsonNode)JsonValue.Create(category))],
            Description = description,
        },
        _ => throw new NotSupportedException($"Feature '{column.Name}' is a {column.GetType().Name}, which the OpenAPI document cannot describe yet."),
    };

    private static void DescribeRequest(OpenApiSchema schema, int maxBatchSize)
    {
        if (schema.Properties is { } properties
            && properties.TryGetValue(PredictRequestReader.InstancesField, out var property)
            && property is OpenApiSchema instances)
        {
            instances.MinItems = 1;
            instances.MaxItems = maxBatchSize;
        }

        // The reader refuses any other top-level field, and a request without instances.
        schema.Required = new HashSet<string>([PredictRequestReader.InstancesField], StringComparer.Ordinal);
        schema.AdditionalPropertiesAllowed = false;
    }
}

public static class PredictionContractRegistration
{
    /// <summary>
    /// Makes the OpenAPI document "v1" state what the service enforces: <see cref="InstanceSchemaTransformer"/>
    /// describes the request, and JSON numbers are numbers only. (The web defaults also read numbers written as
    /// strings, and the document would say "number or string"; no endpoint binds a body that way, the predict
    /// body is read by <see cref="PredictRequestReader"/>, which refuses strings.)
    /// </summary>
    public static IServiceCollection AddPredictionContract(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        return services.Configure<OpenApiOptions>("v1", options => options.AddSchemaTransformer<InstanceSchemaTransformer>());
    }
}
