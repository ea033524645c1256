using System.Text.Json.Nodes;

namespace MlOps.Platform.Testing;

/// <summary>
/// The models of this repository as the API tests see them: theory data over every model of the catalog
/// (whatever subset of models the repository has), and the requests each model accepts, built from its
/// definition. No test names a model: they all come from here.
/// </summary>
public static class ServedModelCases
{
    /// <summary>Every model's name, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> All => [.. ModelCatalog.Names];

    /// <summary>The model a test uses when one served model is enough (what it tests does not depend on the task).</summary>
    public static ModelDefinition Any => ModelCatalog.All[0];

    /// <summary>A name no model can have (model names are one lowercase word, without dashes).</summary>
    public const string UnknownModel = "no-such-model";

    /// <summary>The catalog's model named <paramref name="name"/>; throws <see cref="ArgumentException"/> when there is none.</summary>
    public static ModelDefinition Model(string name) =>
        ModelCatalog.Find(name) ?? throw new ArgumentException($"No model '{name}' in the catalog.", nameof(name));

    /// <summary>The relative URI of the model's predict endpoint, <c>/v1/models/&lt;name&gt;:predict</c>.</summary>
    public static Uri PredictUri(ModelDefinition model) => new($"/v1/models/{model?.Name}:predict", UriKind.Relative);

    /// <summary>The relative URI of the model's metadata endpoint, <c>/v1/models/&lt;name&gt;</c>.</summary>
    public static Uri MetadataUri(ModelDefinition model) => new($"/v1/models/{model?.Name}", UriKind.Relative);

    /// <summary>The model's canary as a JSON instance: a typical, valid input.</summary>
    public static JsonObject Canary(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var instance = new JsonObject();
        foreach (var feature in model.Features)
        {
            var value = model.Canary[feature.Name];
            instance[feature.Name] = value.Kind == RawKind.Number ? JsonValue.Create(value.Number) : JsonValue.Create(value.Text);
        }

        return instance;
    }

    /// <summary>A predict request body with <paramref name="count"/> copies of the canary.</summary>
    public static string CanaryRequest(ModelDefinition model, int count = 1) =>
        new JsonObject { ["instances"] = new JsonArray([.. Enumerable.Range(0, count).Select(_ => (JsonNode)Canary(model))]) }.ToJsonString();

    /// <summary>The model's documented example request, docs/examples/&lt;name&gt;.json.</summary>
    public static JsonNode Example(ModelDefinition model) => JsonNode.Parse(File.ReadAllText(Repository.ExamplePath(model)))!;

    /// <summary>
    /// What the prediction says, as one number per instance: the probability of <c>true</c> (binary), the
    /// probabilities of the classes in order (multiclass), the value (regression).
    /// </summary>
    public static double[] Numbers(ModelDefinition model, JsonNode prediction)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prediction);
        return model.Task switch
        {
            ModelTask.Binary => [prediction["probability"]!.GetValue<double>()],
            ModelTask.Multiclass => [.. model.Label.Classes.Select(c => prediction["probabilities"]![c]!.GetValue<double>())],
            _ => [prediction["value"]!.GetValue<double>()],
        };
    }

    /// <summary>The metric label of a prediction: its class (<c>true</c>/<c>false</c> for binary), <c>value</c> for a regression.</summary>
    public static string MetricLabel(ModelDefinition model, JsonNode prediction)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prediction);
        return model.Task switch
        {
            ModelTask.Binary => prediction["label"]!.GetValue<bool>() ? "true" : "false",
            ModelTask.Multiclass => prediction["label"]!.GetValue<string>(),
            _ => "value",
        };
    }
}
