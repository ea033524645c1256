using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServingOptions = Ml_Service.Api.Serving.ServingOptions;

namespace Ml_Service.Tests.Api;

/// <summary>
/// The published contract, docs/openapi.json, against the running service. Predict requests are generated
/// from the document's own instance schema: valid ones, and one variant per rule that breaks only that rule.
/// Each gets 200 or 400 exactly as the document says, and every answer matches the schema the document
/// declares for its status, so a client generated from the document can rely on it.
/// </summary>
public class ContractTests(ShippedSettingsApiFactory factory) : IClassFixture<ShippedSettingsApiFactory>
{
    private static OpenApiContract Contract => OpenApiContract.Committed;

    public static TheoryData<string> PredictCases => [.. Contract.PredictCases().Select(c => c.Name)];

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
    public void The_documented_instance_is_the_feature_schema()
    {
        var instance = Contract.InstanceSchema;
        var properties = instance["properties"]!.AsObject();

        properties.Select(p => p.Key).Should().Equal(FeatureSchema.Columns.Select(c => c.Name));
        instance["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().BeEquivalentTo(FeatureSchema.Columns.Select(c => c.Name));
        instance["additionalProperties"]!.GetValue<bool>().Should().BeFalse();
        foreach (var column in FeatureSchema.Columns)
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

    [Fact]
    public void The_documented_batch_limit_is_the_one_the_service_enforces()
    {
        var options = factory.Services.GetRequiredService<IOptions<ServingOptions>>().Value;

        Contract.InstancesSchema["minItems"]!.GetValue<int>().Should().Be(1);
        Contract.InstancesSchema["maxItems"]!.GetValue<int>().Should().Be(options.MaxBatchSize);
    }

    [Theory]
    [MemberData(nameof(PredictCases))]
    public async Task A_predict_request_gets_the_answer_the_document_states(string name)
    {
        var request = Contract.PredictCases().Single(c => c.Name == name);
        var documentErrors = Contract.Validator.Validate(JsonNode.Parse(request.Body), Contract.PredictRequestSchema);
        (documentErrors.Count == 0).Should().Be(request.ExpectValid, $"the document must agree that this request is {(request.ExpectValid ? "valid" : "invalid")}: {string.Join("; ", documentErrors)}");
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(await PredictUriAsync(client), new StringContent(request.Body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(request.ExpectValid ? HttpStatusCode.OK : HttpStatusCode.BadRequest, string.Join("; ", documentErrors));
        var body = (await Contract.AssertDocumentedAsync(OpenApiContract.PredictOperation, response))!;
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
        var model = answer.UnknownModel ? "no-such-model" : await ServedModelAsync(client);
        using var request = new HttpRequestMessage(method, new Uri(path.Replace("{name}", model, StringComparison.Ordinal), UriKind.Relative));
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
        bool UnknownModel = false,
        string? Body = null,
        string MediaType = "application/json",
        KeyUse Key = KeyUse.Configured);

    private static readonly Dictionary<string, OtherAnswer> s_otherAnswers = BuildOtherAnswers();

    private static Dictionary<string, OtherAnswer> BuildOtherAnswers()
    {
        const string Predict = OpenApiContract.PredictOperation;
        var valid = Contract.PredictCases().First(c => c.ExpectValid).Body;
        var answers = new Dictionary<string, OtherAnswer>(StringComparer.Ordinal)
        {
            ["list the models"] = new(OpenApiContract.ListOperation, HttpStatusCode.OK),
            ["metadata of the served model"] = new(OpenApiContract.MetadataOperation, HttpStatusCode.OK),
            ["metadata of an unknown model"] = new(OpenApiContract.MetadataOperation, HttpStatusCode.NotFound, UnknownModel: true),
            ["predict with an unknown model"] = new(Predict, HttpStatusCode.NotFound, UnknownModel: true, Body: valid),
            ["predict with malformed JSON"] = new(Predict, HttpStatusCode.BadRequest, Body: """{"instances": ["""),
            ["predict with a body that is not JSON"] = new(Predict, HttpStatusCode.UnsupportedMediaType, Body: "tenure_months=5", MediaType: "text/plain"),
            ["predict with a body over the size limit"] = new(Predict, HttpStatusCode.RequestEntityTooLarge, Body: new string(' ', 2 * 1024 * 1024) + valid),
        };

        // Operations that require a key, as the document says (none when the service was generated without keys).
        foreach (var operationId in new[] { OpenApiContract.ListOperation, OpenApiContract.MetadataOperation, Predict })
        {
            if (Contract.ApiKeyHeader(operationId) is not null)
            {
                var body = operationId == Predict ? valid : null;
                answers[$"{operationId} without an API key"] = new(operationId, HttpStatusCode.Unauthorized, Body: body, Key: KeyUse.None);
                answers[$"{operationId} with a wrong API key"] = new(operationId, HttpStatusCode.Unauthorized, Body: body, Key: KeyUse.Wrong);
            }
        }

        return answers;
    }

    private static async Task<string> ServedModelAsync(HttpClient client)
    {
        var list = await client.GetFromJsonAsync<JsonObject>(new Uri(Contract.Operation(OpenApiContract.ListOperation).Path, UriKind.Relative));
        return list!["models"]![0]!.GetValue<string>();
    }

    private static async Task<Uri> PredictUriAsync(HttpClient client) =>
        new(Contract.Operation(OpenApiContract.PredictOperation).Path.Replace("{name}", await ServedModelAsync(client), StringComparison.Ordinal), UriKind.Relative);
}
