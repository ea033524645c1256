using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Ml_Service.Tests.Api;

/// <summary>
/// POST /v1/models/churn:predict, the KServe V1 predict call. Each test is an example of one
/// request and the answer it gets; errors are RFC 9457 problem documents naming the field.
/// </summary>
public class PredictEndpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly Uri s_predict = new("/v1/models/churn:predict", UriKind.Relative);

    private const string ValidInstance =
        """{"tenure_months": 5, "monthly_charges": 89.5, "support_calls": 4, "contract": "month-to-month", "payment_method": "electronic-check"}""";

    [Fact]
    public async Task The_documented_example_gets_one_probability_per_instance()
    {
        var client = await factory.CreateStartedClientAsync();
        var example = JsonNode.Parse(await File.ReadAllTextAsync(Repository.ExampleRequestPath))!;

        var response = await client.PostAsJsonAsync(s_predict, example);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("X-Model-Version").Should().Equal(SharedModel.Manifest.Version);
        var predictions = (await response.Content.ReadFromJsonAsync<JsonObject>())!["predictions"]!.AsArray();
        predictions.Should().HaveCount(example["instances"]!.AsArray().Count);
        predictions.Select(p => p!["probability"]!.GetValue<double>()).Should().OnlyContain(p => p >= 0 && p <= 1);
        predictions.Select(p => p!["label"]!.GetValue<bool>()).Should()
            .Equal(predictions.Select(p => p!["probability"]!.GetValue<double>() > 0.5));
    }

    [Fact]
    public async Task A_risky_customer_scores_higher_than_a_loyal_one()
    {
        var client = await factory.CreateStartedClientAsync();
        const string Loyal = """{"tenure_months": 70, "monthly_charges": 25, "support_calls": 0, "contract": "two-year", "payment_method": "bank-transfer"}""";

        var probabilities = await PredictAsync(client, $$"""{"instances": [{{ValidInstance}}, {{Loyal}}]}""");

        probabilities[0].Should().BeGreaterThan(probabilities[1]);
    }

    [Fact]
    public async Task Concurrent_batches_from_many_callers_all_succeed_and_agree()
    {
        var client = await factory.CreateStartedClientAsync();
        var body = $$"""{"instances": [{{string.Join(",", Enumerable.Repeat(ValidInstance, 10))}}]}""";

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => PredictAsync(client, body)));

        results.SelectMany(r => r).Distinct().Should().ContainSingle("the same input must score the same on every pooled engine");
    }

    [Theory]
    [InlineData("""{"instances": [{"tenure_months": 5, "monthly_charges": 89.5, "support_calls": 4, "contract": "lifetime", "payment_method": "electronic-check"}]}""", "instances[0].contract")]
    [InlineData("""{"instances": [{"tenure_months": "five", "monthly_charges": 89.5, "support_calls": 4, "contract": "one-year", "payment_method": "electronic-check"}]}""", "instances[0].tenure_months")]
    [InlineData("""{"instances": [{"monthly_charges": 89.5, "support_calls": 4, "contract": "one-year", "payment_method": "electronic-check"}]}""", "instances[0].tenure_months")]
    [InlineData("""{"instances": [{"tenure_months": 5, "monthly_charges": 89.5, "support_calls": 4, "contract": "one-year", "payment_method": "electronic-check", "age": 40}]}""", "instances[0].age")]
    [InlineData("""{"instances": [42]}""", "instances[0]")]
    [InlineData("""{"instances": []}""", "instances")]
    [InlineData("""{"rows": []}""", "instances")]
    [InlineData("""[1, 2]""", "instances")]
    [InlineData("""{"instances": [""", "body")]
    public async Task An_invalid_request_gets_400_naming_the_field(string body, string field)
    {
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(s_predict, Json(body));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        problem["status"]!.GetValue<int>().Should().Be(400);
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused()
    {
        var client = await factory.CreateStartedClientAsync();
        var body = $$"""{"instances": [{{string.Join(",", Enumerable.Repeat(ValidInstance, 11))}}]}""";

        var response = await client.PostAsync(s_predict, Json(body));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("between 1 and 10");
    }

    [Fact]
    public async Task A_body_over_the_size_limit_gets_413()
    {
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(s_predict, Json(new string(' ', 2 * 1024 * 1024) + "{}"));

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_415()
    {
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(s_predict, new StringContent("tenure=5", Encoding.UTF8, "text/plain"));

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task An_unknown_model_name_gets_404()
    {
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(new Uri("/v1/models/fraud:predict", UriKind.Relative), Json($$"""{"instances": [{{ValidInstance}}]}"""));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Contain("'fraud'");
    }

    [Fact]
    public async Task The_service_keeps_serving_after_bad_requests()
    {
        var client = await factory.CreateStartedClientAsync();
        await client.PostAsync(s_predict, Json("{"));
        await client.PostAsync(s_predict, Json("""{"instances": [{"contract": null}]}"""));

        var probabilities = await PredictAsync(client, $$"""{"instances": [{{ValidInstance}}]}""");

        probabilities.Should().ContainSingle();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<double[]> PredictAsync(HttpClient client, string body)
    {
        var response = await client.PostAsync(s_predict, Json(body));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return json["predictions"]!.AsArray().Select(p => p!["probability"]!.GetValue<double>()).ToArray();
    }
}
