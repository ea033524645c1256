using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServingOptions = MlOps.Platform.Serving.Inference.ServingOptions;

namespace Ml_Service.Tests.Api;

/// <summary>
/// The published contract, docs/openapi.json, against the running service, for every model. Predict requests
/// are generated from the document's own instance schema of each model: valid ones, and one variant per rule
/// that breaks only that rule.
/// Each gets 200 or 400 exactly as the document says, and every answer matches the schema the document
/// declares for its status, so a client generated from the document can rely on it.
/// </summary>
public class ContractTests(ShippedSettingsApiFactory factory) : IClassFixture<ShippedSettingsApiFactory>
{
    private static OpenApiContract Contract => OpenApiContract.Committed;

    /// <summary>Every generated predict request of every model, as (model, case name).</summary>
    public static TheoryData<string, string> PredictCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var model in ModelCatalog.Names)
            {
                foreach (var request in Contract.Model(model).PredictCases())
                {
                    data.Add(model, request.Name);
                }
            }

            return data;
        }
    }

    public static TheoryData<string> OtherAnswers => [.. BuildOtherAnswers().Keys];

    [Fact]
    public void The_validator_understands_every_keyword_of_the_document()
    {
        var unknown = Contract.Schemas()
            .SelectMany(s => OpenApiSchemaValidator.UnknownKeywords(s.Schema).Select(k => $"{s.Where}: {k}"))
            .ToList();

        unknown.Should().BeEmpty("a keyword the contract tests do not check would let them pass without checking it");
    }

    [Fact]
    public void The_document_has_a_metadata_and_a_predict_path_for_each_model_and_no_other_model_path()
    {
        // Routes for every model at once name it as a parameter ({name}): the prediction log's feedback.
        var modelPaths = Contract.Document["paths"]!.AsObject().Select(p => p.Key)
            .Where(p => p.StartsWith("/v1/models/", StringComparison.Ordinal) && !p.StartsWith("/v1/models/{name}/", StringComparison.Ordinal));

        modelPaths.Should().BeEquivalentTo(ModelCatalog.Names.SelectMany(n => new[] { $"/v1/models/{n}", $"/v1/models/{n}:predict" }));
    }

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public void The_documented_instance_is_the_models_definition(string name)
    {
        var model = ServedModelCases.Model(name);
        var instance = Contract.Model(name).InstanceSchema;
        var properties = instance["properties"]!.AsObject();

        properties.Select(p => p.Key).Should().Equal(model.Features.Select(c => c.Name));
        instance["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().BeEquivalentTo(model.Features.Select(c => c.Name));
        instance["additionalProperties"]!.GetValue<bool>().Should().BeFalse();
        foreach (var column in model.Features)
        {
            var property = properties[column.Name]!;
            switch (column)
            {
                case NumericFeature numeric:
                    property["type"]!.GetValue<string>().Should().Be(numeric.WholeNumber ? "integer" : "number", column.Name);
                    property["minimum"]!.GetValue<double>().Should().Be(numeric.Min, column.Name);
                    property["maximum"]!.GetValue<double>().Should().Be(numeric.Max, column.Name);
                    break;
                case CategoricalFeature categorical:
                    property["type"]!.GetValue<string>().Should().Be("string", column.Name);
                    property["enum"]!.AsArray().Select(e => e!.GetValue<string>()).Should().Equal(categorical.Allowed, column.Name);
                    break;
                default:
                    throw new NotSupportedException($"Feature {column.Name} is a {column.GetType().Name}; teach this test its schema.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public void The_documented_prediction_is_the_one_of_the_models_task(string name)
    {
        var model = ServedModelCases.Model(name);
        var prediction = Contract.Model(name).PredictionSchema;
        var properties = prediction["properties"]!.AsObject();

        prediction["additionalProperties"]!.GetValue<bool>().Should().BeFalse();
        switch (model.Task)
        {
            case ModelTask.Binary:
                properties.Select(p => p.Key).Should().Equal("label", "probability", "score");
                properties["label"]!["type"]!.GetValue<string>().Should().Be("boolean");
                break;
            case ModelTask.Multiclass:
                properties.Select(p => p.Key).Should().Equal("label", "probabilities");
                properties["label"]!["enum"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal(model.Label.Classes);
                properties["probabilities"]!["properties"]!.AsObject().Select(p => p.Key).Should().Equal(model.Label.Classes);
                break;
            default:
                properties.Select(p => p.Key).Should().Equal("value");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public void The_documented_batch_limit_is_the_one_the_service_enforces(string name)
    {
        var options = factory.Services.GetRequiredService<IOptions<ServingOptions>>().Value;
        var instances = Contract.Model(name).InstancesSchema;

        instances["minItems"]!.GetValue<int>().Should().Be(1);
        instances["maxItems"]!.GetValue<int>().Should().Be(options.MaxBatchSize);
    }

    [Theory]
    [MemberData(nameof(PredictCases))]
    public async Task A_predict_request_gets_the_answer_the_document_states(string model, string name)
    {
        var contract = Contract.Model(model);
        var request = contract.PredictCases().Single(c => c.Name == name);
        var documentErrors = Contract.Validator.Validate(JsonNode.Parse(request.Body), contract.PredictRequestSchema);
        (documentErrors.Count == 0).Should().Be(request.ExpectValid, $"the document must agree that this request is {(request.ExpectValid ? "valid" : "invalid")}: {string.Join("; ", documentErrors)}");
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(new Uri(contract.PredictPath, UriKind.Relative), new StringContent(request.Body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(request.ExpectValid ? HttpStatusCode.OK : HttpStatusCode.BadRequest, string.Join("; ", documentErrors));
        var body = (await Contract.AssertDocumentedAsync(contract.PredictOperation, response))!;
        if (request.ExpectValid)
        {
            body["predictions"]!.AsArray().Should().HaveCount(JsonNode.Parse(request.Body)!["instances"]!.AsArray().Count);
        }
        else
        {
            body["errors"]!.AsObject().Select(e => e.Key).Should().Contain(request.Field, "the problem names the field to fix");
        }
    }

    [Theory]
    [MemberData(nameof(OtherAnswers))]
    public async Task Every_other_answer_is_documented_and_matches_its_schema(string name)
    {
        var answer = s_otherAnswers[name];
        var client = await factory.CreateStartedClientAsync();
        var (path, method, _) = Contract.Operation(answer.OperationId);
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (answer.Body is not null)
        {
            request.Content = new StringContent(answer.Body, Encoding.UTF8, answer.MediaType);
        }

        if (answer.Key != KeyUse.Configured)
        {
            var header = Contract.ApiKeyHeader(answer.OperationId)!;
            client.DefaultRequestHeaders.Remove(header);
            if (answer.Key == KeyUse.Wrong)
            {
                request.Headers.Add(header, "not-a-key-of-this-service");
            }
        }

        var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(answer.Status);
        await Contract.AssertDocumentedAsync(answer.OperationId, response);
    }

    [Fact]
    public async Task An_unknown_model_gets_a_problem_document_of_the_documented_shape()
    {
        var client = await factory.CreateStartedClientAsync();

        var response = await client.GetAsync(new Uri($"/v1/models/{ServedModelCases.UnknownModel}", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = Contract.Document["components"]!["schemas"]!["ProblemDetails"]!.AsObject();
        Contract.Validator.Validate(await response.Content.ReadFromJsonAsync<JsonNode>(), problem).Should().BeEmpty();
    }

    private enum KeyUse
    {
        Configured,
        None,
        Wrong,
    }

    /// <summary>A request to <paramref name="OperationId"/> and the status it must get; the body is sent as <paramref name="MediaType"/>.</summary>
    private sealed record OtherAnswer(
        string OperationId,
        HttpStatusCode Status,
        string? Body = null,
        string MediaType = "application/json",
        KeyUse Key = KeyUse.Configured);

    private static readonly Dictionary<string, OtherAnswer> s_otherAnswers = BuildOtherAnswers();

    private static Dictionary<string, OtherAnswer> BuildOtherAnswers()
    {
        var answers = new Dictionary<string, OtherAnswer>(StringComparer.Ordinal)
        {
            ["list the models"] = new(OpenApiContract.ListOperation, HttpStatusCode.OK),
        };
        var operations = new List<(string OperationId, string? Body)> { (OpenApiContract.ListOperation, null) };
        foreach (var name in ModelCatalog.Names)
        {
            var model = Contract.Model(name);
            var valid = model.PredictCases().First(c => c.ExpectValid).Body;
            answers[$"{name}: metadata"] = new(model.MetadataOperation, HttpStatusCode.OK);
            answers[$"{name}: predict with malformed JSON"] = new(model.PredictOperation, HttpStatusCode.BadRequest, Body: """{"instances": [""");
            answers[$"{name}: predict with a body that is not JSON"] = new(model.PredictOperation, HttpStatusCode.UnsupportedMediaType, Body: "feature=5", MediaType: "text/plain");
            answers[$"{name}: predict with a body over the size limit"] = new(model.PredictOperation, HttpStatusCode.RequestEntityTooLarge, Body: new string(' ', 2 * 1024 * 1024) + valid);
            operations.Add((model.MetadataOperation, null));
            operations.Add((model.PredictOperation, valid));
        }

        // Operations that require a key, as the document says (none when the service was generated without keys).
        foreach (var (operationId, body) in operations)
        {
            if (Contract.ApiKeyHeader(operationId) is not null)
            {
                answers[$"{operationId} without an API key"] = new(operationId, HttpStatusCode.Unauthorized, Body: body, Key: KeyUse.None);
                answers[$"{operationId} with a wrong API key"] = new(operationId, HttpStatusCode.Unauthorized, Body: body, Key: KeyUse.Wrong);
            }
        }

        return answers;
    }
}
