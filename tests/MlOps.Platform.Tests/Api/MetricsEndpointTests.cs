using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// GET /metrics: what Prometheus scrapes. HTTP traffic, the process, and the model (predictions,
/// rejected inputs, the version served, input distributions) are all in one Prometheus text document.
/// </summary>
public class MetricsEndpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string PredictEndpoint = "endpoint=/v1/models/{name}:predict";

    [Fact]
    public async Task The_scrape_is_prometheus_text_with_http_process_and_model_metrics()
    {
        var client = await factory.CreateStartedClientAsync();

        var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var scrape = await MetricsScrape.GetAsync(client);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        response.Content.Headers.ContentType.Parameters.Should().Contain(p => p.Name == "version" && p.Value == "0.0.4");
        scrape.Text.Should().Contain("# TYPE ml_predictions_total counter")
            .And.Contain("# TYPE ml_prediction_probability histogram")
            .And.Contain("# TYPE ml_prediction_value histogram")
            .And.Contain("# TYPE http_request_duration_seconds histogram");
        scrape.Samples.Select(s => s.Name).Should().Contain(
        [
            "process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds", "dotnet_total_memory_bytes",
            "ml_model_load_duration_seconds", "ml_model_loaded_timestamp_seconds", "ml_invalid_scores_total", "ml_disk_free_bytes",
        ]);
        scrape.Find("ml_disk_free_bytes").Should().OnlyContain(s => s.Value > 0);
    }

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public async Task One_good_and_one_bad_request_move_the_counters_of_their_model(string name)
    {
        var model = ServedModelCases.Model(name);
        var numeric = model.NumericFeatures[0];
        var categorical = model.CategoricalFeatures[0];
        var canary = ServedModelCases.Canary(model);
        var bad = canary.DeepClone().AsObject();
        bad[numeric.Name] = "five";
        bad[categorical.Name] = "not-a-category";
        bad["unlisted_field"] = 40;
        var client = await factory.CreateStartedClientAsync();
        var before = await MetricsScrape.GetAsync(client);

        var good = await client.PostAsync(ServedModelCases.PredictUri(model), Json(ServedModelCases.CanaryRequest(model)));
        var refused = await client.PostAsync(ServedModelCases.PredictUri(model), Json(new JsonObject { ["instances"] = new JsonArray(bad) }.ToJsonString()));
        var after = await MetricsScrape.GetAsync(client);

        good.StatusCode.Should().Be(HttpStatusCode.OK);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var prediction = (await good.Content.ReadFromJsonAsync<JsonObject>())!["predictions"]![0]!;
        var label = ServedModelCases.MetricLabel(model, prediction);
        var of = $"model={name}";
        double Delta(string metric, params string[] labels) => after.Sum(metric, labels) - before.Sum(metric, labels);

        Delta("ml_predictions_total", of, $"label={label}").Should().Be(1);
        Delta("ml_predictions_total", of).Should().Be(1, "the bad request predicted nothing");
        Delta(model.Task == ModelTask.Regression ? "ml_prediction_value_count" : "ml_prediction_probability_count", of).Should().Be(1);
        Delta("ml_rejected_inputs_total", of, $"field={numeric.Name}").Should().Be(1);
        Delta("ml_rejected_inputs_total", of, $"field={categorical.Name}").Should().Be(1);
        Delta("ml_rejected_inputs_total", of, "field=unknown").Should().Be(1, "a field that is not a feature is counted without its name");
        Delta("ml_rejected_inputs_total", of).Should().Be(3);
        Delta("http_request_duration_seconds_count", "method=POST", "code=200", PredictEndpoint).Should().Be(1);
        Delta("http_request_duration_seconds_count", "method=POST", "code=400", PredictEndpoint).Should().Be(1);
        Delta("ml_feature_value_count", of, $"feature={numeric.Name}").Should().Be(1);
        Delta("ml_feature_value_sum", of, $"feature={numeric.Name}").Should().Be(canary[numeric.Name]!.GetValue<double>());
        Delta("ml_feature_category_total", of, $"feature={categorical.Name}", $"category={canary[categorical.Name]!.GetValue<string>()}").Should().Be(1);
        Delta("ml_feature_category_total", of, $"feature={categorical.Name}").Should().Be(1, "rejected inputs are not part of the served distribution");
        foreach (var other in ModelCatalog.Names.Where(n => n != name))
        {
            Delta("ml_predictions_total", $"model={other}").Should().Be(0, "each model counts only its own predictions");
        }
    }

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public async Task Model_info_carries_the_version_trainer_and_age_of_each_served_model(string name)
    {
        var manifest = SharedModel.Of(ServedModelCases.Model(name)).Manifest;
        var client = await factory.CreateStartedClientAsync();

        var scrape = await MetricsScrape.GetAsync(client);

        var info = scrape.Find("ml_model_info", $"model={name}").Should().ContainSingle().Subject;
        info.Value.Should().Be(1);
        info.Labels.Should().Contain(new Dictionary<string, string>
        {
            ["model"] = name,
            ["version"] = manifest.Version,
            ["trainer"] = manifest.Trainer,
        });
        scrape.Sum("ml_model_created_timestamp_seconds", $"model={name}")
            .Should().BeApproximately(manifest.CreatedAt.ToUnixTimeMilliseconds() / 1000.0, 0.001);
        scrape.Sum("ml_model_reloads_total", $"model={name}", "result=success").Should().Be(1);
        scrape.Sum("ml_model_reloads_total", $"model={name}", "result=failure").Should().Be(0, "the series exists from the start, at 0");
    }

    [Fact]
    public async Task The_metrics_endpoint_is_not_part_of_the_api_document()
    {
        var client = factory.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;

        document["paths"]!.AsObject().Select(p => p.Key).Should().NotContain("/metrics");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
