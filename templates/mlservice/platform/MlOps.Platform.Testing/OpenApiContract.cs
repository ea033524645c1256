using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Testing;

/// <summary>
/// The committed docs/openapi.json, read as a client would read it: its operations, the schema of the
/// predict request, and predict requests generated from that schema alone.
/// </summary>
public sealed class OpenApiContract
{
    /// <summary>The operationId of <c>GET /v1/models</c>, which lists the served models.</summary>
    public const string ListOperation = "ListModels";
    private const string Json = "application/json";

    private static readonly Lazy<OpenApiContract> s_committed = new(() => new OpenApiContract(
        // Comment lines are skipped: the template this repository came from keeps its variants in the file.
        JsonNode.Parse(
            File.ReadAllText(Repository.OpenApiPath),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!));

    private readonly Dictionary<string, ModelContract> _models = new(StringComparer.Ordinal);

    private OpenApiContract(JsonNode document)
    {
        Document = document;
        Validator = new OpenApiSchemaValidator(document);
    }

    /// <summary>The repository's committed docs/openapi.json (<see cref="Repository.OpenApiPath"/>), read once per test run, comment lines skipped.</summary>
    public static OpenApiContract Committed => s_committed.Value;

    /// <summary>The parsed OpenAPI document.</summary>
    public JsonNode Document { get; }

    /// <summary>The validator of JSON values against the document's schemas.</summary>
    public OpenApiSchemaValidator Validator { get; }

    /// <summary>The paths, operations and schemas of one model: <c>/v1/models/&lt;name&gt;</c> and <c>/v1/models/&lt;name&gt;:predict</c>.</summary>
    public ModelContract Model(string name)
    {
        lock (_models)
        {
            if (!_models.TryGetValue(name, out var model))
            {
                model = new ModelContract(this, name);
                _models[name] = model;
            }

            return model;
        }
    }

    /// <summary>Every schema the document holds, components and inline, with where it is.</summary>
    public IEnumerable<(string Where, JsonObject Schema)> Schemas()
    {
        foreach (var (name, schema) in Document["components"]?["schemas"]?.AsObject() ?? [])
        {
            yield return ($"components.schemas.{name}", schema!.AsObject());
        }

        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var where = $"{method.ToUpperInvariant()} {path}";
                foreach (var parameter in operation!["parameters"]?.AsArray() ?? [])
                {
                    yield return ($"{where} parameter {parameter!["name"]}", parameter["schema"]!.AsObject());
                }

                foreach (var (mediaType, content) in operation["requestBody"]?["content"]?.AsObject() ?? [])
                {
                    yield return ($"{where} request {mediaType}", content!["schema"]!.AsObject());
                }

                foreach (var (status, response) in operation["responses"]!.AsObject())
                {
                    foreach (var (mediaType, content) in response!["content"]?.AsObject() ?? [])
                    {
                        yield return ($"{where} {status} {mediaType}", content!["schema"]!.AsObject());
                    }
                }
            }
        }
    }

    /// <summary>The operation at <paramref name="path"/> for <paramref name="method"/>, with its operationId.</summary>
    public (string OperationId, JsonObject Operation) OperationAt(string path, HttpMethod method)
    {
        var item = Document["paths"]![path]?.AsObject()
            ?? throw new InvalidOperationException($"docs/openapi.json has no path '{path}'.");
        var operation = item[method.Method.ToLowerInvariant()]?.AsObject()
            ?? throw new InvalidOperationException($"docs/openapi.json has no {method} operation at '{path}'.");
        return (operation["operationId"]!.GetValue<string>(), operation);
    }

    /// <summary>The operation with this operationId, its path template and its HTTP method.</summary>
    public (string Path, HttpMethod Method, JsonObject Operation) Operation(string operationId)
    {
        foreach (var (path, item) in Document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (operation!["operationId"]?.GetValue<string>() == operationId)
                {
                    return (path, new HttpMethod(method.ToUpperInvariant()), operation.AsObject());
                }
            }
        }

        throw new InvalidOperationException($"docs/openapi.json has no operation '{operationId}'.");
    }

    /// <summary>The header that carries the key of the API-key scheme the operation requires, or null when it requires none.</summary>
    public string? ApiKeyHeader(string operationId)
    {
        var requirement = Operation(operationId).Operation["security"]?.AsArray().FirstOrDefault()?.AsObject();
        if (requirement is null || requirement.Count == 0)
        {
            return null;
        }

        var scheme = Document["components"]!["securitySchemes"]![requirement.First().Key]!;
        scheme["type"]!.GetValue<string>().Should().Be("apiKey");
        scheme["in"]!.GetValue<string>().Should().Be("header");
        return scheme["name"]!.GetValue<string>();
    }

    /// <summary>
    /// Asserts that the document declares the response's status for the operation, and that the body matches
    /// its schema. Returns the body.
    /// </summary>
    public async Task<JsonNode?> AssertDocumentedAsync(string operationId, HttpResponseMessage response)
    {
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var responses = Operation(operationId).Operation["responses"]!.AsObject();
        responses.ContainsKey(status).Should().BeTrue($"every answer of {operationId} must be documented, {status} too");
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "(none)";
        var content = responses[status]!["content"]?.AsObject();
        content.Should().NotBeNull($"the document says {operationId} answers {status} with a body");
        content!.ContainsKey(mediaType).Should().BeTrue($"the document lists the media types of {operationId}'s {status}, {mediaType} too");

        var body = await response.Content.ReadFromJsonAsync<JsonNode>();
        var errors = Validator.Validate(body, content[mediaType]!["schema"]!.AsObject());
        errors.Should().BeEmpty($"the {status} body of {operationId} must match its documented schema: {body?.ToJsonString()}");
        return body;
    }

    internal static JsonNode ValidValue(string name, JsonObject schema)
    {
        if (schema["enum"] is JsonArray allowed)
        {
            return allowed[0]!.DeepClone();
        }

        var types = Types(schema);
        var min = schema["minimum"] is { } minimum ? ToDouble(minimum) : 0;
        var max = schema["maximum"] is { } maximum ? ToDouble(maximum) : min + 100;
        if (types.Contains("integer"))
        {
            return Number(Math.Floor(min + ((max - min) / 3)));
        }

        if (types.Contains("number"))
        {
            // A fractional value inside the range (real features span 0.0001 as well as 10,000): a number that is not
            // a whole number must be accepted too.
            var value = Math.Round(min + ((max - min) * 0.37), 6);
            return Number(value == Math.Floor(value) && max > min ? value + Math.Min(0.25, (max - min) / 10) : value);
        }

        if (types.Contains("string") && schema["pattern"] is null)
        {
            return "text";
        }

        if (types.Contains("boolean"))
        {
            return true;
        }

        throw new NotSupportedException($"Cannot build a valid value of '{name}' from its schema {schema.ToJsonString()}; extend {nameof(OpenApiContract)}.");
    }

    /// <summary>A value of each JSON type that the schema does not allow (a string for a number, a number for a string, null...).</summary>
    internal static IEnumerable<(string Type, JsonNode? Value)> WrongTypes(JsonObject schema)
    {
        var allowed = Types(schema);
        (string Type, Func<JsonNode?> Value)[] candidates =
        [
            ("string", () => JsonValue.Create("1")),
            ("number", () => JsonValue.Create(1)),
            ("boolean", () => JsonValue.Create(true)),
            ("object", () => new JsonObject()),
            ("array", () => new JsonArray()),
            ("null", () => null),
        ];
        foreach (var (type, value) in candidates)
        {
            if (!allowed.Contains(type) && !(type == "number" && allowed.Contains("integer")))
            {
                yield return ($"{(type == "null" ? "null" : "a JSON " + type)}", value());
            }
        }
    }

    internal static HashSet<string> Types(JsonObject schema) => schema["type"] switch
    {
        JsonArray types => [.. types.Select(t => t!.GetValue<string>())],
        JsonValue type => [type.GetValue<string>()],
        _ => throw new NotSupportedException($"A schema without a type cannot be generated from: {schema.ToJsonString()}"),
    };

    internal static double ToDouble(JsonNode number) => double.Parse(number.ToJsonString(), CultureInfo.InvariantCulture);

    internal static JsonValue Number(double value) =>
        double.IsInteger(value) ? JsonValue.Create((long)value) : JsonValue.Create(value);

    internal static JsonObject With(JsonObject instance, string name, JsonNode? value)
    {
        var copy = instance.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }

    internal static string Instances(int count) => count == 1 ? "1 instance" : $"{count} instances";

    /// <summary>A request with <paramref name="count"/> copies of the instance.</summary>
    internal static JsonObject Batch(JsonObject instance, int count) =>
        new() { ["instances"] = new JsonArray([.. Enumerable.Range(0, count).Select(_ => instance.DeepClone())]) };

    internal static PredictCase Valid(string name, JsonObject body) => new($"valid: {name}", body.ToJsonString(), ExpectValid: true, Field: null);

    /// <summary>A request whose only instance breaks a rule of <paramref name="property"/>.</summary>
    internal static PredictCase InvalidInstance(string name, JsonObject instance, string property) =>
        InvalidRequest(name, Batch(instance, 1), $"instances[0].{property}");

    internal static PredictCase InvalidRequest(string name, JsonObject body, string field) =>
        new($"invalid: {name}", body.ToJsonString(), ExpectValid: false, Field: field);
}

/// <summary>
/// One model's part of the document: its metadata and predict operations, the schema of its predict request,
/// and predict requests generated from that schema alone.
/// </summary>
public sealed class ModelContract
{
    private const string Json = "application/json";
    private readonly OpenApiContract _document;

    /// <summary>Reads the operations and schemas of the model named <paramref name="name"/> from <paramref name="document"/>; <see cref="OpenApiContract.Model(string)"/> reads each model once.</summary>
    public ModelContract(OpenApiContract document, string name)
    {
        _document = document;
        Name = name;
        MetadataPath = $"/v1/models/{name}";
        PredictPath = $"/v1/models/{name}:predict";
        MetadataOperation = document.OperationAt(MetadataPath, HttpMethod.Get).OperationId;
        var (predictOperation, predict) = document.OperationAt(PredictPath, HttpMethod.Post);
        PredictOperation = predictOperation;
        PredictRequestSchema = document.Validator.Dereference(predict["requestBody"]!["content"]![Json]!["schema"]!.AsObject());
        InstancesSchema = PredictRequestSchema["properties"]!["instances"]!.AsObject();
        InstanceSchema = document.Validator.Dereference(InstancesSchema["items"]!.AsObject());
        PredictionSchema = document.Validator.Dereference(
            document.Validator.Dereference(predict["responses"]!["200"]!["content"]![Json]!["schema"]!.AsObject())["properties"]!["predictions"]!["items"]!.AsObject());
    }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>The path of the model's metadata operation, <c>/v1/models/&lt;name&gt;</c>.</summary>
    public string MetadataPath { get; }

    /// <summary>The path of the model's predict operation, <c>/v1/models/&lt;name&gt;:predict</c>.</summary>
    public string PredictPath { get; }

    /// <summary>The operationId of <c>GET</c> <see cref="MetadataPath"/>.</summary>
    public string MetadataOperation { get; }

    /// <summary>The operationId of <c>POST</c> <see cref="PredictPath"/>.</summary>
    public string PredictOperation { get; }

    /// <summary>The body of a predict request: an object with <c>instances</c>.</summary>
    public JsonObject PredictRequestSchema { get; }

    /// <summary>The <c>instances</c> array of a predict request.</summary>
    public JsonObject InstancesSchema { get; }

    /// <summary>One instance: the features of the model.</summary>
    public JsonObject InstanceSchema { get; }

    /// <summary>One prediction of a 200 answer.</summary>
    public JsonObject PredictionSchema { get; }

    /// <summary>
    /// Predict requests built from the document's schema alone: valid ones (a typical instance, each bound and
    /// each allowed category, a full batch), then one variant per rule of the schema that breaks that rule only.
    /// </summary>
    public IReadOnlyList<PredictCase> PredictCases()
    {
        var instance = ValidInstance();
        var cases = new List<PredictCase> { OpenApiContract.Valid("one typical instance", OpenApiContract.Batch(instance, 1)) };
        foreach (var (name, schema) in InstanceProperties())
        {
            if (schema["minimum"] is { } min)
            {
                cases.Add(OpenApiContract.Valid($"{name} at its minimum", OpenApiContract.Batch(OpenApiContract.With(instance, name, min.DeepClone()), 1)));
                cases.Add(OpenApiContract.InvalidInstance($"{name} below its minimum", OpenApiContract.With(instance, name, OpenApiContract.Number(OpenApiContract.ToDouble(min) - 1)), name));
            }

            if (schema["maximum"] is { } max)
            {
                cases.Add(OpenApiContract.Valid($"{name} at its maximum", OpenApiContract.Batch(OpenApiContract.With(instance, name, max.DeepClone()), 1)));
                cases.Add(OpenApiContract.InvalidInstance($"{name} above its maximum", OpenApiContract.With(instance, name, OpenApiContract.Number(OpenApiContract.ToDouble(max) + 1)), name));
            }

            if (OpenApiContract.Types(schema).Contains("integer"))
            {
                cases.Add(OpenApiContract.InvalidInstance($"{name} with a fractional part", OpenApiContract.With(instance, name, OpenApiContract.Number(OpenApiContract.ToDouble(instance[name]!) + 0.5)), name));
            }

            foreach (var allowed in schema["enum"]?.AsArray() ?? [])
            {
                cases.Add(OpenApiContract.Valid($"{name} = {allowed!.ToJsonString()}", OpenApiContract.Batch(OpenApiContract.With(instance, name, allowed.DeepClone()), 1)));
            }

            if (schema["enum"] is not null)
            {
                cases.Add(OpenApiContract.InvalidInstance($"{name} outside its allowed values", OpenApiContract.With(instance, name, "not-an-allowed-value"), name));
            }

            foreach (var (type, wrong) in OpenApiContract.WrongTypes(schema))
            {
                cases.Add(OpenApiContract.InvalidInstance($"{name} as {type}", OpenApiContract.With(instance, name, wrong), name));
            }
        }

        foreach (var required in InstanceSchema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            var missing = instance.DeepClone().AsObject();
            missing.Remove(required);
            cases.Add(OpenApiContract.InvalidInstance($"{required} missing", missing, required));
        }

        if (InstanceSchema["additionalProperties"] is JsonValue additional && !additional.GetValue<bool>())
        {
            cases.Add(OpenApiContract.InvalidInstance("a property the schema does not list", OpenApiContract.With(instance, "unlisted_property", 1), "unlisted_property"));
        }

        foreach (var (type, wrong) in OpenApiContract.WrongTypes(InstanceSchema))
        {
            cases.Add(OpenApiContract.InvalidRequest($"an instance as {type}", new JsonObject { ["instances"] = new JsonArray { wrong } }, "instances[0]"));
        }

        cases.AddRange(RequestCases(instance));
        return cases;
    }

    private IEnumerable<PredictCase> RequestCases(JsonObject instance)
    {
        if (InstancesSchema["minItems"] is { } min)
        {
            var fewest = (int)OpenApiContract.ToDouble(min);
            yield return OpenApiContract.Valid($"{OpenApiContract.Instances(fewest)} (the fewest allowed)", OpenApiContract.Batch(instance, fewest));
            yield return OpenApiContract.InvalidRequest($"{OpenApiContract.Instances(fewest - 1)} (fewer than allowed)", OpenApiContract.Batch(instance, fewest - 1), "instances");
        }

        if (InstancesSchema["maxItems"] is { } max)
        {
            var most = (int)OpenApiContract.ToDouble(max);
            yield return OpenApiContract.Valid($"{OpenApiContract.Instances(most)} (the most allowed)", OpenApiContract.Batch(instance, most));
            yield return OpenApiContract.InvalidRequest($"{OpenApiContract.Instances(most + 1)} (more than allowed)", OpenApiContract.Batch(instance, most + 1), "instances");
        }

        foreach (var (type, wrong) in OpenApiContract.WrongTypes(InstancesSchema))
        {
            yield return OpenApiContract.InvalidRequest($"instances as {type}", new JsonObject { ["instances"] = wrong }, "instances");
        }

        foreach (var required in PredictRequestSchema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            yield return OpenApiContract.InvalidRequest($"{required} missing from the request", new JsonObject(), required);
        }
    }

    /// <summary>One instance that keeps every rule: each listed property, inside its range, an allowed category.</summary>
    private JsonObject ValidInstance()
    {
        var instance = new JsonObject();
        foreach (var (name, schema) in InstanceProperties())
        {
            instance[name] = OpenApiContract.ValidValue(name, schema);
        }

        return instance;
    }

    private IEnumerable<(string Name, JsonObject Schema)> InstanceProperties() =>
        InstanceSchema["properties"]!.AsObject().Select(p => (p.Key, _document.Validator.Dereference(p.Value!.AsObject())));

}

/// <param name="Name">What the request tries, e.g. <c>invalid: tenure_months below its minimum</c>.</param>
/// <param name="Body">The JSON sent.</param>
/// <param name="ExpectValid">What the generator meant to build; the document must agree.</param>
/// <param name="Field">For an invalid request, the field the 400 must name (a key of <c>errors</c>).</param>
public sealed record PredictCase(string Name, string Body, bool ExpectValid, string? Field);
