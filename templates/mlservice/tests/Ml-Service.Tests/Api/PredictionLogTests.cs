using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MlOps.Platform.Data;

namespace Ml_Service.Tests.Api;

/// <summary>The service with its prediction log recomputing live quality every second, on as few labelled predictions as this test sends.</summary>
public sealed class LiveQualityApiFactory : ApiFactory
{
    public const int Labelled = 20;

    public LiveQualityApiFactory() => Settings = new Dictionary<string, string?>
    {
        ["Model:MaxBatchSize"] = "100",
        ["PredictionLog:LiveQualityIntervalSeconds"] = "1",
        ["PredictionLog:LiveQualityMinLabelled"] = Labelled.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The prediction log closes the loop for every model: rows of its data sent as predictions, the truth of each
/// reported as feedback, give a live-quality gauge and an export that is the same training data again.
/// </summary>
public sealed class PredictionLogTests(LiveQualityApiFactory factory) : IClassFixture<LiveQualityApiFactory>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public async Task Predictions_with_feedback_give_live_quality_and_export_as_the_training_rows_they_came_from(string name)
    {
        var model = ServedModelCases.Model(name);
        var client = await factory.CreateStartedClientAsync();
        var instances = SampleInstances.All(model).Take(LiveQualityApiFactory.Labelled).ToList();
        var rows = TrainingData.Load(model, Repository.DataPath(model)).Take(instances.Count).ToList();

        var request = new JsonObject { ["instances"] = new JsonArray([.. instances.Select(i => (JsonNode)i.DeepClone())]) };
        using var body = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
        var answer = await client.PostAsync(ServedModelCases.PredictUri(model), body);
        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        var ids = answer.Headers.GetValues("X-Prediction-Ids").Single().Split(',');
        ids.Should().HaveCount(instances.Count, "every instance gets the id of its logged prediction");

        for (var i = 0; i < ids.Length; i++)
        {
            (await FeedbackAsync(client, model, ids[i], Truth(model, rows[i]), waitForPrediction: true)).Should().Be(HttpStatusCode.Accepted);
        }

        (await FeedbackAsync(client, model, Guid.CreateVersion7().ToString(), Truth(model, rows[0]), waitForPrediction: false))
            .Should().Be(HttpStatusCode.NotFound, "feedback is about a prediction this service made");
        (await LiveQualityAsync(client, model)).Should().Be(instances.Count, "live quality counts every labelled prediction");

        var export = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}.csv");
        try
        {
            var code = await PredictionLogCommands.RunAsync(["export-feedback", "--model", name, "--output", export], factory.Services, TextWriter.Null, TextWriter.Null);
            code.Should().Be(0);
            TrainingData.Load(model, export).Select(r => Row(model, r)).Should().Equal(rows.Select(r => Row(model, r)), "the export keeps the order of the traffic");
        }
        finally
        {
            File.Delete(export);
        }
    }

    /// <summary>The truth of a row as a client sends it: a number for a regression, the label's text otherwise.</summary>
    private static JsonValue Truth(ModelDefinition model, LabeledRow row) => model.Task == ModelTask.Regression
        ? JsonValue.Create(double.Parse(model.LabelText(row), System.Globalization.CultureInfo.InvariantCulture))
        : JsonValue.Create(model.LabelText(row));

    private static string Row(ModelDefinition model, LabeledRow row) =>
        $"{model.LabelText(row)} | {string.Join(' ', row.Numbers)} | {string.Join(' ', row.Categories)}";

    /// <summary>Sends the truth about prediction <paramref name="id"/>; the writer stores predictions a moment after they are answered, so it can wait for it, as a client retries.</summary>
    private static async Task<HttpStatusCode> FeedbackAsync(HttpClient client, ModelDefinition model, string id, JsonValue truth, bool waitForPrediction)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (true)
        {
            var response = await client.PostAsJsonAsync(new Uri($"/v1/models/{model.Name}/feedback", UriKind.Relative), new { prediction_id = id, truth });
            // 404: not written yet; 503: the log's database is not ready yet (the service migrates it as it starts).
            if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable) || !waitForPrediction || DateTime.UtcNow > deadline)
            {
                return response.StatusCode;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The <c>ml_live_quality_labelled</c> of the model once it counts every labelled prediction, or what it counted at the deadline.</summary>
    private static async Task<double> LiveQualityAsync(HttpClient client, ModelDefinition model)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (true)
        {
            var metrics = await MetricsScrape.GetAsync(client);
            var labelled = metrics.Sum("ml_live_quality_labelled", $"model={model.Name}");
            if (labelled >= LiveQualityApiFactory.Labelled && metrics.Find("ml_live_quality", $"model={model.Name}").Any() || DateTime.UtcNow > deadline)
            {
                return labelled;
            }

            await Task.Delay(200);
        }
    }
}
