using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Platform.Data;

namespace MlOps.Platform.Tests.Data;

/// <summary>What the log keeps of the inputs (<c>PredictionLog:Inputs</c>) and how many requests it keeps (<c>PredictionLog:SampleRate</c>), on each database.</summary>
public sealed class PrivacyAndSamplingTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    public static TheoryData<PredictionStore, InputsMode> ProvidersAndModes
    {
        get
        {
            var data = new TheoryData<PredictionStore, InputsMode>();
            foreach (var provider in new[] { PredictionStore.Sqlite, PredictionStore.Postgres })
            {
                foreach (var mode in Enum.GetValues<InputsMode>())
                {
                    data.Add(provider, mode);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ProvidersAndModes))]
    public async Task The_inputs_are_stored_as_json_hashed_or_left_out_as_configured(PredictionStore provider, InputsMode mode)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        await using var service = new LoggedService(database, new Dictionary<string, string?> { ["PredictionLog:Inputs"] = mode.ToString().ToLowerInvariant() });
        var client = await service.CreateStartedClientAsync();
        var model = ModelCatalog.All.First(m => m.CategoricalFeatures.Count > 0);
        var canary = model.Validate(model.Canary, []) ?? throw new InvalidOperationException("The canary is valid.");
        var json = PendingPredictions.Inputs(model, canary, InputsMode.Store);

        var ids = LoggedService.IdsOf(await LoggedService.PredictAsync(client, model, instances: 2));

        var rows = await database.WaitForPredictionsAsync(ids);
        rows.Should().HaveCount(2);
        foreach (var row in rows)
        {
            switch (mode)
            {
                case InputsMode.Store:
                    row.Inputs.Should().Be(json);
                    break;
                case InputsMode.Hash:
                    row.Inputs.Should().Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))), "equal inputs have equal hashes")
                        .And.NotContain(model.Categorical(canary, model.CategoricalFeatures[0].Name));
                    break;
                default:
                    row.Inputs.Should().BeNull();
                    break;
            }

            row.Outputs.Should().NotBeNullOrEmpty("the outputs are kept whatever the inputs mode");
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_sample_rate_keeps_about_that_share_of_requests_and_exactly_those_that_were_given_ids(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        await using var service = new LoggedService(database, new Dictionary<string, string?> { ["PredictionLog:SampleRate"] = "0.25" });
        var client = await service.CreateStartedClientAsync();
        var model = ServedModelCases.Any;
        const int Requests = 200;

        var answers = new List<List<Guid>>();
        for (var i = 0; i < Requests; i++)
        {
            answers.Add(LoggedService.IdsOf(await LoggedService.PredictAsync(client, model, instances: 2)));
        }

        // Mean 50 of 200, standard deviation about 6: outside 20..80 is a failure of sampling, not chance.
        var logged = answers.Where(ids => ids.Count > 0).ToList();
        logged.Should().OnlyContain(ids => ids.Count == 2, "a request is logged whole or not at all");
        logged.Count.Should().BeInRange(20, 80);
        var ids = logged.SelectMany(i => i).ToList();
        await database.WaitForPredictionsAsync(ids);
        (await database.PredictionsAsync()).Select(p => p.Id).Should().BeEquivalentTo(ids);
    }

    [Fact]
    public async Task A_sample_rate_of_zero_logs_nothing_and_queues_nothing()
    {
        using var database = await TestDatabase.MigratedAsync(PredictionStore.Sqlite, postgres);
        await using var service = new LoggedService(database, new Dictionary<string, string?> { ["PredictionLog:SampleRate"] = "0" });
        var client = await service.CreateStartedClientAsync();

        for (var i = 0; i < 20; i++)
        {
            LoggedService.IdsOf(await LoggedService.PredictAsync(client, ServedModelCases.Any)).Should().BeEmpty();
        }

        service.Services.GetRequiredService<PredictionLog>().Queued.Should().Be(0);
        var metrics = await MetricsScrape.GetAsync(client);
        metrics.Sum("ml_prediction_log_written_total").Should().Be(0);
        metrics.Sum("ml_prediction_log_dropped_total").Should().Be(0, "sampling is not a drop");
    }
}
