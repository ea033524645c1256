using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// Requests a hostile client sends to make the service hold, log or answer more than the request is worth: invented
/// methods, hundreds of unknown fields and, with keys, one guess after another.
/// </summary>
public sealed class HostileRequestTests
{
    private static readonly Uri s_predict = ServedModelCases.PredictUri(ServedModelCases.Any);

    [Fact]
    public async Task An_invented_method_is_answered_405_and_counted_as_one_method_value()
    {
        using var factory = new ApiFactory();
        var client = await factory.CreateStartedClientAsync();

        foreach (var method in new[] { "M1", "AAAA" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), s_predict);
            using var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
            (await response.Content.ReadAsStringAsync()).Should().Contain("not a standard HTTP method").And.NotContain(method + " ");
        }

        var scrape = await MetricsScrape.GetAsync(client);
        scrape.Find("http_requests_received_total", "method=_OTHER").Sum(s => s.Value).Should().Be(2);
        scrape.Text.Should().NotContain("method=\"M1\"").And.NotContain("method=\"AAAA\"");
    }

    [Fact]
    public async Task Hundreds_of_unknown_fields_get_an_answer_that_lists_the_first_errors_only()
    {
        using var factory = new ApiFactory();
        var client = await factory.CreateStartedClientAsync();
        var instance = new JsonObject();
        for (var i = 0; i < 300; i++)
        {
            instance[$"field_{i:D3}_{new string('x', 40)}"] = i;
        }

        var body = new JsonObject { ["instances"] = new JsonArray(instance) }.ToJsonString();
        using var response = await client.PostAsync(s_predict, new StringContent(body, Encoding.UTF8, "application/json"));
        var answer = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(answer)!["errors"]!.AsObject().Count.Should().Be(MlOps.Platform.Serving.Endpoints.Problems.MaxErrors);
        answer.Length.Should().BeLessThan(body.Length / 2, "the answer never grows with the request");
    }
#if (ApiKeyAuth)

    [Fact]
    public async Task A_client_that_keeps_sending_wrong_keys_gets_429_with_retry_after_even_for_a_right_key()
    {
        using var factory = new ApiFactory { Settings = new Dictionary<string, string?> { ["Auth:MaxFailedAttemptsPerClient"] = "3" } };
        var client = await factory.CreateStartedClientAsync();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, s_predict) { Content = Example() };
            request.Headers.Add("X-Api-Key", $"guess-number-{i}-of-many-guesses");
            last?.Dispose();
            last = await client.SendAsync(request);
            statuses.Add(last.StatusCode);
        }

        using var rightKey = await client.PostAsync(s_predict, Example());
        var scrape = await MetricsScrape.GetAsync(client);

        statuses.Should().Equal(
            HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
        last!.Headers.RetryAfter!.Delta.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(60));
        rightKey.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "keys are not checked while the client is throttled");
        scrape.Find("ml_auth_throttled_total").Single().Value.Should().Be(3);
        last.Dispose();
    }

    private static StringContent Example() =>
        new(File.ReadAllText(Repository.ExamplePath(ServedModelCases.Any)), Encoding.UTF8, "application/json");
#endif
}
