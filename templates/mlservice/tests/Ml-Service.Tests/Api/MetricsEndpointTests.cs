using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Ml_Service.Tests.Api;

/// <summary>
/// GET /metrics: what Prometheus scrapes. HTTP traffic, the process, and the model (predictions,
/// rejected inputs, the version served, input distributions) are all in one Prometheus text document.
/// </summary>
public class MetricsEndpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly Uri s_predict = new("/v1/models/churn:predict", UriKind.Relative);
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
            .And.Contain("# TYPE http_request_duration_seconds histogram");
        scrape.Samples.Select(s => s.Name).Should().Contain(
        [
            "process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds", "dotnet_total_memory_bytes",
            "ml_model_load_duration_seconds", "ml_model_loaded_timestamp_seconds", "ml_invalid_scores_total", "ml_disk_free_bytes",
        ]);
        scrape.Find("ml_disk_free_bytes").Should().OnlyContain(s => s.Value > 0);
        scrape.Sum("ml_model_reloads_total", "model=churn", "result=failure").Should().Be(0, "the series exists from the start, at 0");
    }

    [Fact]
    public async Task One_good_and_one_bad_request_move_the_counters()
    {
        var client = await factory.CreateStartedClientAsync();
        var before = await MetricsScrape.GetAsync(client);
        const string Good = """{"instances": [{"tenure_months": 5, "monthly_charges": 89.5, "support_calls": 4, "contract": "month-to-month", "payment_method": "electronic-check"}]}""";
        const string Bad = """{"instances": [{"tenure_months": "five", "monthly_charges": 89.5, "support_calls": 4, "contract": "lifetime", "payment_method": "electronic-check", "age": 40}]}""";

        var good = await client.PostAsync(s_predict, Json(Good));
        var bad = await client.PostAsync(s_predict, Json(Bad));
        var after = await MetricsScrape.GetAsync(client);

        good.StatusCode.Should().Be(HttpStatusCode.OK);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var label = (await good.Content.ReadAsStringAsync()).Contains("\"label\":true", StringComparison.Ordinal) ? "true" : "false";
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);

        Delta("ml_predictions_total", "model=churn", $"label={label}").Should().Be(1);
        Delta("ml_predictions_total", "model=churn").Should().Be(1, "the bad request predicted nothing");
        Delta("ml_prediction_probability_count", "model=churn").Should().Be(1);
        Delta("ml_rejected_inputs_total", "model=churn", "field=tenure_months").Should().Be(1);
        Delta("ml_rejected_inputs_total", "model=churn", "field=contract").Should().Be(1);
        Delta("ml_rejected_inputs_total", "model=churn", "field=unknown").Should().Be(1, "a field that is not a feature is counted without its name");
        Delta("ml_rejected_inputs_total", "model=churn").Should().Be(3);
        Delta("http_request_duration_seconds_count", "method=POST", "code=200", PredictEndpoint).Should().Be(1);
        Delta("http_request_duration_seconds_count", "method=POST", "code=400", PredictEndpoint).Should().Be(1);
        Delta("ml_feature_value_count", "model=churn", "feature=monthly_charges").Should().Be(1);
        Delta("ml_feature_value_sum", "model=churn", "feature=monthly_charges").Should().Be(89.5);
        Delta("ml_feature_category_total", "model=churn", "feature=contract", "category=month-to-month").Should().Be(1);
        Delta("ml_feature_category_total", "model=churn", "feature=contract").Should().Be(1, "rejected inputs are not part of the served distribution");
    }

    [Fact]
    public async Task Model_info_carries_the_version_trainer_and_age_of_the_served_model()
    {
        var client = await factory.CreateStartedClientAsync();

        var scrape = await MetricsScrape.GetAsync(client);

        var info = scrape.Find("ml_model_info").Should().ContainSingle().Subject;
        info.Value.Should().Be(1);
        info.Labels.Should().Contain(new Dictionary<string, string>
        {
            ["model"] = "churn",
            ["version"] = SharedModel.Manifest.Version,
            ["trainer"] = SharedModel.Manifest.Trainer,
        });
        scrape.Sum("ml_model_created_timestamp_seconds", "model=churn")
            .Should().BeApproximately(SharedModel.Manifest.CreatedAt.ToUnixTimeMilliseconds() / 1000.0, 0.001);
        scrape.Sum("ml_model_reloads_total", "model=churn", "result=success").Should().Be(1);
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
