using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MlOps.Platform.Data;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// POST /v1/models/{name}/feedback records the truth about a logged prediction on each database: 202 with the
/// feedback's id; 404 for an unknown model or prediction; 400 naming the field for anything malformed.
/// </summary>
public sealed class FeedbackTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    /// <summary>A valid truth of each task, as a client sends it, and the text it is stored as.</summary>
    private static (object Sent, string Stored) TruthOf(ModelDefinition model) => model.Task switch
    {
        ModelTask.Binary => (true, "true"),
        ModelTask.Multiclass => (model.Label.Classes[^1], model.Label.Classes[^1]),
        _ => (12.5, "12.5"),
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Feedback_on_a_logged_prediction_is_stored_with_its_truth_in_the_labels_form(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        await using var service = new LoggedService(database);
        var client = await service.CreateStartedClientAsync();

        foreach (var model in ModelCatalog.All)
        {
            var id = LoggedService.IdsOf(await LoggedService.PredictAsync(client, model)).Single();
            await database.WaitForPredictionsAsync([id]);
            var (sent, stored) = TruthOf(model);

            var response = await LoggedService.FeedbackAsync(client, model.Name, new { prediction_id = id, truth = sent, source = "crm-export" });

            response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            var receipt = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            receipt["prediction_id"]!.GetValue<Guid>().Should().Be(id);
            var feedback = (await database.FeedbackAsync()).Single(f => f.Id == receipt["feedback_id"]!.GetValue<Guid>());
            feedback.PredictionId.Should().Be(id);
            feedback.Truth.Should().Be(stored);
            feedback.Source.Should().Be("crm-export");
        }
    }

    [Fact]
    public async Task Feedback_needs_the_api_key_as_predictions_do()
    {
        using var database = await TestDatabase.MigratedAsync(PredictionStore.Sqlite, postgres);
        await using var service = new LoggedService(database);
        await service.CreateStartedClientAsync();
        var anonymous = service.CreateClient();
        anonymous.DefaultRequestHeaders.Remove("X-Api-Key");

        var response = await LoggedService.FeedbackAsync(anonymous, ServedModelCases.Any.Name, new { prediction_id = Guid.CreateVersion7(), truth = true });

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Feedback_on_an_unknown_model_or_prediction_or_another_models_prediction_gets_404(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        await using var service = new LoggedService(database);
        var client = await service.CreateStartedClientAsync();
        var model = ModelCatalog.All[0];
        var other = ModelCatalog.All[1];
        var id = LoggedService.IdsOf(await LoggedService.PredictAsync(client, model)).Single();
        await database.WaitForPredictionsAsync([id]);

        var unknownModel = await LoggedService.FeedbackAsync(client, "nosuchmodel", new { prediction_id = id, truth = TruthOf(model).Sent });
        var unknownPrediction = await LoggedService.FeedbackAsync(client, model.Name, new { prediction_id = Guid.CreateVersion7(), truth = TruthOf(model).Sent });
        var otherModels = await LoggedService.FeedbackAsync(client, other.Name, new { prediction_id = id, truth = TruthOf(other).Sent });

        foreach (var response in new[] { unknownModel, unknownPrediction, otherModels })
        {
            response.StatusCode.Should().Be(HttpStatusCode.NotFound);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }

        (await unknownPrediction.Content.ReadAsStringAsync()).Should().Contain("has no logged prediction");
        (await database.FeedbackAsync()).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Malformed_feedback_gets_400_naming_the_field_and_stores_nothing(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        await using var service = new LoggedService(database);
        var client = await service.CreateStartedClientAsync();
        var model = ModelCatalog.All.First(m => m.Task == ModelTask.Binary);
        var id = LoggedService.IdsOf(await LoggedService.PredictAsync(client, model)).Single();
        await database.WaitForPredictionsAsync([id]);

        var cases = new (object Body, string Field)[]
        {
            (new { truth = true }, "prediction_id"),
            (new { prediction_id = "not-a-uuid", truth = true }, "prediction_id"),
            (new { prediction_id = id }, "truth"),
            (new { prediction_id = id, truth = "maybe" }, "truth"),
            (new { prediction_id = id, truth = 1 }, "truth"),
            (new { prediction_id = id, truth = true, source = new string('s', 65) }, "source"),
            (new { prediction_id = id, truth = true, source = "two words" }, "source"),
            (new { prediction_id = id, truth = true, label = true }, "body"),
        };
        foreach (var (body, field) in cases)
        {
            var response = await LoggedService.FeedbackAsync(client, model.Name, body);

            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, $"{field} is invalid in {System.Text.Json.JsonSerializer.Serialize(body)}");
            var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            problem["errors"]!.AsObject().Select(e => e.Key).Should().Equal(field);
        }

        using var notJson = new StringContent("{\"prediction_id\": ", Encoding.UTF8, "application/json");
        var malformed = await client.PostAsync(new Uri($"/v1/models/{model.Name}/feedback", UriKind.Relative), notJson);
        malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await malformed.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Should().Equal("body");
        using var large = new StringContent($"{{\"prediction_id\": \"{id}\", \"truth\": true, \"source\": \"{new string('s', 20_000)}\"}}", Encoding.UTF8, "application/json");
        (await client.PostAsync(new Uri($"/v1/models/{model.Name}/feedback", UriKind.Relative), large)).StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        using var text = new StringContent("true", Encoding.UTF8, "text/plain");
        (await client.PostAsync(new Uri($"/v1/models/{model.Name}/feedback", UriKind.Relative), text)).StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await database.FeedbackAsync()).Should().BeEmpty();
    }
}
