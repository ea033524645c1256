using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// POST /v1/models/{name}:predict, the KServe V1 predict call, for every model. Each test is an example of
/// one request and the answer it gets; errors are RFC 9457 problem documents naming the field.
/// </summary>
public class PredictEndpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>Per model, invalid requests built from its definition and the field the 400 must name.</summary>
    public static TheoryData<string, string> InvalidRequests
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var model in ModelCatalog.All)
            {
                foreach (var (what, _, _) in InvalidCases(model))
                {
                    data.Add(model.Name, what);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public async Task The_documented_example_gets_one_prediction_per_instance_shaped_by_the_task(string name)
    {
        var model = ServedModelCases.Model(name);
        var client = await factory.CreateStartedClientAsync();
        var example = ServedModelCases.Example(model);

        var response = await client.PostAsJsonAsync(ServedModelCases.PredictUri(model), example);

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("X-Model-Version").Should().Equal(SharedModel.Of(model).Manifest.Version);
        var predictions = (await response.Content.ReadFromJsonAsync<JsonObject>())!["predictions"]!.AsArray();
        predictions.Should().HaveCount(example["instances"]!.AsArray().Count);
        foreach (var prediction in predictions.Select(p => p!.AsObject()))
        {
            switch (model.Task)
            {
                case ModelTask.Binary:
                    prediction.Select(p => p.Key).Should().BeEquivalentTo("label", "probability", "score");
                    var probability = prediction["probability"]!.GetValue<double>();
                    probability.Should().BeInRange(0, 1);
                    prediction["label"]!.GetValue<bool>().Should().Be(probability > 0.5);
                    break;
                case ModelTask.Multiclass:
                    prediction.Select(p => p.Key).Should().BeEquivalentTo("label", "probabilities");
                    var probabilities = prediction["probabilities"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());
                    probabilities.Keys.Should().BeEquivalentTo(model.Label.Classes);
                    probabilities.Values.Should().OnlyContain(p => p >= 0 && p <= 1);
                    probabilities.Values.Sum().Should().BeApproximately(1, 1e-4);
                    prediction["label"]!.GetValue<string>().Should().Be(probabilities.MaxBy(p => p.Value).Key);
                    break;
                default:
                    prediction.Select(p => p.Key).Should().BeEquivalentTo("value");
                    double.IsFinite(prediction["value"]!.GetValue<double>()).Should().BeTrue();
                    break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public async Task Concurrent_batches_from_many_callers_all_succeed_and_agree(string name)
    {
        var model = ServedModelCases.Model(name);
        var client = await factory.CreateStartedClientAsync();
        var body = ServedModelCases.CanaryRequest(model, 10);

        // The test client is one address: at most half its per-client limit at once, so that no request is shed
        // (a finished request's slot can be released a moment after its caller has the answer).
        using var slots = new SemaphoreSlim(8);
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            await slots.WaitAsync();
            try
            {
                return await PredictAsync(client, model, body);
            }
            finally
            {
                slots.Release();
            }
        }));

        results.SelectMany(r => r).Select(n => string.Join(",", n)).Distinct()
            .Should().ContainSingle("the same input must score the same on every pooled engine");
    }

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task An_invalid_request_gets_400_naming_the_field(string name, string what)
    {
        var model = ServedModelCases.Model(name);
        var (_, body, field) = InvalidCases(model).Single(c => c.What == what);
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(ServedModelCases.PredictUri(model), Json(body));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        problem["status"]!.GetValue<int>().Should().Be(400);
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused()
    {
        var model = ServedModelCases.Any;
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(ServedModelCases.PredictUri(model), Json(ServedModelCases.CanaryRequest(model, 11)));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("between 1 and 10");
    }

    [Fact]
    public async Task A_body_over_the_size_limit_gets_413()
    {
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(ServedModelCases.PredictUri(ServedModelCases.Any), Json(new string(' ', 2 * 1024 * 1024) + "{}"));

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_415()
    {
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(ServedModelCases.PredictUri(ServedModelCases.Any), new StringContent("feature=5", Encoding.UTF8, "text/plain"));

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task An_unknown_model_name_gets_404_listing_the_served_models()
    {
        var client = await factory.CreateStartedClientAsync();

        var response = await client.PostAsync(
            new Uri($"/v1/models/{ServedModelCases.UnknownModel}:predict", UriKind.Relative),
            Json(ServedModelCases.CanaryRequest(ServedModelCases.Any)));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Contain($"'{ServedModelCases.UnknownModel}'");
        ModelCatalog.Names.Should().OnlyContain(n => body.Contains($"'{n}'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_service_keeps_serving_after_bad_requests()
    {
        var model = ServedModelCases.Any;
        var client = await factory.CreateStartedClientAsync();
        await client.PostAsync(ServedModelCases.PredictUri(model), Json("{"));
        await client.PostAsync(ServedModelCases.PredictUri(model), Json($$"""{"instances": [{"{{model.Features[0].Name}}": null}]}"""));

        var predictions = await PredictAsync(client, model, ServedModelCases.CanaryRequest(model));

        predictions.Should().ContainSingle();
    }

    /// <summary>Requests that break one rule each, built from the model's definition: (what, body, field named).</summary>
    private static IEnumerable<(string What, string Body, string Field)> InvalidCases(ModelDefinition model)
    {
        var canary = ServedModelCases.Canary(model);
        string One(JsonObject instance) => new JsonObject { ["instances"] = new JsonArray(instance) }.ToJsonString();
        JsonObject With(string feature, JsonNode? value)
        {
            var copy = canary.DeepClone().AsObject();
            copy[feature] = value;
            return copy;
        }

        if (model.CategoricalFeatures.Count > 0)
        {
            var categorical = model.CategoricalFeatures[0];
            yield return ("an unknown category", One(With(categorical.Name, "not-a-category")), $"instances[0].{categorical.Name}");
        }

        if (model.NumericFeatures.Count > 0)
        {
            var numeric = model.NumericFeatures[0];
            yield return ("a number as text", One(With(numeric.Name, "five")), $"instances[0].{numeric.Name}");
            yield return ("a number above its maximum", One(With(numeric.Name, numeric.Max + 1)), $"instances[0].{numeric.Name}");
        }

        var missing = canary.DeepClone().AsObject();
        missing.Remove(model.Features[0].Name);
        yield return ("a missing feature", One(missing), $"instances[0].{model.Features[0].Name}");
        yield return ("a field that is no feature", One(With("unlisted_field", 40)), "instances[0].unlisted_field");
        yield return ("an instance that is no object", """{"instances": [42]}""", "instances[0]");
        yield return ("no instances", """{"instances": []}""", "instances");
        yield return ("another field than instances", """{"rows": []}""", "instances");
        yield return ("an array body", """[1, 2]""", "instances");
        yield return ("malformed JSON", """{"instances": [""", "body");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<double[][]> PredictAsync(HttpClient client, ModelDefinition model, string body)
    {
        var response = await client.PostAsync(ServedModelCases.PredictUri(model), Json(body));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return [.. json["predictions"]!.AsArray().Select(p => ServedModelCases.Numbers(model, p!))];
    }
}
