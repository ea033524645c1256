using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MlOps.Platform.Data;
using MlOps.Platform.Serving.Endpoints;
using MlOps.Platform.Tests.Api;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// With the prediction log on, every answered prediction is stored with what the client sent and received, on
/// each database, and the client gets its ids back; without it the service answers exactly as before.
/// </summary>
public sealed class PredictionRoundTripTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_instance_of_a_prediction_is_stored_under_the_id_its_answer_names_with_the_inputs_and_the_answer(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        await using var service = new LoggedService(database);
        var client = await service.CreateStartedClientAsync();

        foreach (var model in ModelCatalog.All)
        {
            var example = ServedModelCases.Example(model);
            var instances = example["instances"]!.AsArray();

            var response = await client.PostAsJsonAsync(ServedModelCases.PredictUri(model), example);

            response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
            var predictions = (await response.Content.ReadFromJsonAsync<JsonObject>())!["predictions"]!.AsArray();
            var ids = LoggedService.IdsOf(response);
            ids.Should().HaveCount(instances.Count).And.OnlyHaveUniqueItems();
            var rows = await database.WaitForPredictionsAsync(ids);
            for (var i = 0; i < ids.Count; i++)
            {
                var row = rows.Single(r => r.Id == ids[i]);
                row.Model.Should().Be(model.Name);
                row.ModelVersion.Should().Be(response.Headers.GetValues(PredictionEndpoints.ModelVersionHeader).Single());
                row.RequestId.Should().Be(response.Headers.GetValues(ServiceDefaults.CorrelationHeader).Single());
                JsonNode.DeepEquals(JsonNode.Parse(row.Outputs), predictions[i]).Should().BeTrue($"row {row.Outputs} holds what the client received, {predictions[i]!.ToJsonString()}");
                ShouldHoldTheInstance(model, JsonNode.Parse(row.Inputs!)!.AsObject(), instances[i]!.AsObject());
                row.LatencyMs.Should().BePositive();
                row.CreatedAt.Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(5));
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task With_migrate_on_start_an_empty_database_gets_the_schema_in_the_background_and_then_the_predictions(PredictionStore provider)
    {
        using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var service = new LoggedService(database, new Dictionary<string, string?> { ["PredictionLog:MigrateOnStart"] = "true" });
        var client = await service.CreateStartedClientAsync();

        var ids = LoggedService.IdsOf(await LoggedService.PredictAsync(client, ServedModelCases.Any, instances: 3));

        await database.WaitForMigrationsAsync();
        (await database.WaitForPredictionsAsync(ids)).Should().HaveCount(3);
    }

    [Fact]
    public async Task Readiness_and_predictions_never_wait_for_an_unreachable_database_and_feedback_is_refused_with_503()
    {
        using var database = await TestDatabase.CreateAsync(PredictionStore.Postgres, postgres);
        await using var service = new LoggedService(database, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Predictions"] = $"Host=127.0.0.1;Port={postgres.Port};Database=absent;Username=nobody;Timeout=1",
            ["PredictionLog:MigrateOnStart"] = "true",
        });

        var client = await service.CreateStartedClientAsync();
        var response = await LoggedService.PredictAsync(client, ServedModelCases.Any);

        LoggedService.IdsOf(response).Should().ContainSingle("the prediction is queued; the database is the writer's problem");
        var feedback = await LoggedService.FeedbackAsync(client, ServedModelCases.Any.Name, new { prediction_id = LoggedService.IdsOf(response)[0], truth = true });
        feedback.StatusCode.Should().Be(System.Net.HttpStatusCode.ServiceUnavailable, "feedback cannot be recorded, and the caller is told to send it again");
        (await feedback.Content.ReadAsStringAsync()).Should().Contain("send it again later");
    }

    [Fact]
    public async Task Switched_off_a_prediction_names_no_ids_and_there_is_no_feedback_route_nor_either_in_the_api_document()
    {
        await using var service = new ApiFactory { Settings = new Dictionary<string, string?> { ["PredictionLog:Enabled"] = "false" } };
        var client = await service.CreateStartedClientAsync();
        var model = ServedModelCases.Any;

        var response = await LoggedService.PredictAsync(client, model);
        var feedback = await LoggedService.FeedbackAsync(client, model.Name, new { prediction_id = Guid.CreateVersion7(), truth = true });
        var document = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        response.Headers.Contains(PredictionEndpoints.PredictionIdsHeader).Should().BeFalse();
        feedback.StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        document.Should().NotContain(PredictionEndpoints.PredictionIdsHeader).And.NotContain("/feedback");
    }

    [Fact]
    public async Task With_a_log_the_api_document_names_the_ids_header_of_every_models_prediction_and_the_feedback_route()
    {
        using var database = await TestDatabase.MigratedAsync(PredictionStore.Sqlite, postgres);
        await using var service = new LoggedService(database);
        var client = await service.CreateStartedClientAsync();

        var document = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;

        foreach (var model in ModelCatalog.All)
        {
            document["paths"]![$"/v1/models/{model.Name}:predict"]!["post"]!["responses"]!["200"]!["headers"]![PredictionEndpoints.PredictionIdsHeader]
                .Should().NotBeNull($"the predict path of {model.Name} documents the header");
        }

        var feedback = document["paths"]!["/v1/models/{name}/feedback"]!["post"]!;
        feedback["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["202", "400", "404"]);
    }

    private static void ShouldHoldTheInstance(ModelDefinition model, JsonObject stored, JsonObject sent)
    {
        stored.Select(p => p.Key).Should().Equal(model.Features.Select(f => f.Name), "every feature, in the model's order");
        foreach (var feature in model.Features)
        {
            if (feature is NumericFeature)
            {
                stored[feature.Name]!.GetValue<double>().Should().BeApproximately(sent[feature.Name]!.GetValue<double>(), 1e-6, feature.Name);
            }
            else
            {
                stored[feature.Name]!.GetValue<string>().Should().Be(sent[feature.Name]!.GetValue<string>(), feature.Name);
            }
        }
    }

    [Fact]
    public void The_ids_of_a_request_are_version_7_distinct_and_sort_in_instance_order_as_text_and_as_bytes()
    {
        var now = DateTimeOffset.UtcNow;
        for (var round = 0; round < 200; round++)
        {
            var ids = PredictionLog.Ids(now, 1000);

            ids.Should().OnlyHaveUniqueItems();
            ids.Should().OnlyContain(id => id.Version == 7 && (id.Variant & 0xC) == 0x8);
            ids.Select(id => id.ToString().ToUpperInvariant()).Should().BeInAscendingOrder(StringComparer.Ordinal, "SQLite sorts the ids as text");
            ids.Select(id => Convert.ToHexString(id.ToByteArray(bigEndian: true))).Should().BeInAscendingOrder(StringComparer.Ordinal, "PostgreSQL sorts uuids by their bytes");
            ids[0].ToString()[..13].Should().Be(Guid.CreateVersion7(now).ToString()[..13], "the first 48 bits are the time");
        }
    }
}
