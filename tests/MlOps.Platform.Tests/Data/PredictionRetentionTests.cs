using MlOps.Platform.Data;
using MlOps.Platform.Data.Schema;

namespace MlOps.Platform.Tests.Data;

/// <summary>Retention on each database: predictions older than the cutoff go, of every model, in batches, with their feedback; the rest stays, even while the service logs.</summary>
[Collection(LabelledTrafficServer.Name)]
public sealed class PredictionRetentionTests(PostgresServer postgres)
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pruning_deletes_every_models_predictions_before_the_cutoff_in_batches_with_their_feedback_and_nothing_else(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        var now = DateTime.UtcNow;
        var predictions = new List<PredictionRecord>();
        var feedback = new List<FeedbackRecord>();
        // Two served models and one no longer served; 25 old predictions each (two truths on every third), 5 recent.
        foreach (var model in new[] { ModelCatalog.All[0].Name, ModelCatalog.All[1].Name, "retired" })
        {
            for (var i = 0; i < 30; i++)
            {
                var prediction = LabelledTraffic.Prediction(model, i < 25 ? now.AddDays(-40).AddMinutes(i) : now.AddDays(-1).AddMinutes(i), "{}");
                predictions.Add(prediction);
                feedback.Add(LabelledTraffic.Feedback(prediction.Id, "true", now));
                if (i % 3 == 0)
                {
                    feedback.Add(LabelledTraffic.Feedback(prediction.Id, "false", now.AddSeconds(1)));
                }
            }
        }

        await LabelledTraffic.AddAsync(database, predictions, feedback);
        var cutoff = new DateTimeOffset(now.AddDays(-30));

        var deleted = await PredictionRetention.PruneAsync(database.Database, cutoff, batchSize: 7);

        deleted.Should().Be(75);
        var kept = predictions.Where(p => p.CreatedAt >= cutoff.UtcDateTime).Select(p => p.Id).ToHashSet();
        (await database.PredictionsAsync()).Select(p => p.Id).Should().BeEquivalentTo(kept);
        (await database.FeedbackAsync()).Select(f => f.Id).Should().BeEquivalentTo(
            feedback.Where(f => kept.Contains(f.PredictionId)).Select(f => f.Id), "the feedback of deleted predictions goes with them, the rest stays");
        (await PredictionRetention.PruneAsync(database.Database, cutoff)).Should().Be(0, "nothing is left to delete");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pruning_while_the_service_logs_predictions_loses_none_of_them(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        var now = DateTime.UtcNow;
        var model = ServedModelCases.Any;
        var old = Enumerable.Range(0, 600).Select(i => LabelledTraffic.Prediction(model.Name, now.AddDays(-40).AddSeconds(i), "{}")).ToList();
        await LabelledTraffic.AddAsync(database, old, old.Where((_, i) => i % 2 == 0).Select(p => LabelledTraffic.Feedback(p.Id, "true", now)));
        await using var service = new LoggedService(database);
        var client = await service.CreateStartedClientAsync();

        var prune = PredictionRetention.PruneAsync(database.Database, now.AddDays(-30), batchSize: 20);
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            ids.AddRange(LoggedService.IdsOf(await LoggedService.PredictAsync(client, model, instances: 5)));
        }

        (await prune).Should().Be(600);
        ids.Should().HaveCount(100, "every request was logged");
        await database.WaitForPredictionsAsync(ids);
        (await database.PredictionsAsync()).Should().HaveCount(100);
        (await database.FeedbackAsync()).Should().BeEmpty();
        (await MetricsScrape.GetAsync(client)).Sum("ml_prediction_log_dropped_total").Should().Be(0, "no batch failed while retention deleted");
    }

    [Fact]
    public async Task The_service_prunes_its_own_database_when_given_a_retention_and_never_without_one()
    {
        using var database = await TestDatabase.MigratedAsync(PredictionStore.Sqlite, postgres);
        var now = DateTime.UtcNow;
        var old = LabelledTraffic.Prediction(ModelCatalog.All[0].Name, now.AddDays(-8), "{}");
        var recent = LabelledTraffic.Prediction(ModelCatalog.All[0].Name, now.AddDays(-6), "{}");
        await LabelledTraffic.AddAsync(database, [old, recent], []);

        using var without = RetentionService(database, days: 0);
        await without.StartAsync(CancellationToken.None);
        await without.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10)); // without a retention the service ends at once

        using var pruning = RetentionService(database, days: 7);
        await pruning.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await database.PredictionsAsync()).Count > 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await pruning.StopAsync(CancellationToken.None);
        (await database.PredictionsAsync()).Select(p => p.Id).Should().Equal([recent.Id], "only the prediction older than 7 days goes");
    }

    private static PredictionRetentionService RetentionService(TestDatabase database, int days) => new(
        database.Database,
        Microsoft.Extensions.Options.Options.Create(new PredictionLogOptions { RetentionDays = days }),
        new ImpatientTime(),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<PredictionRetentionService>.Instance);

    /// <summary>The real clock, except that every wait (the service's minute before its first prune, its day between two) is over at once.</summary>
    private sealed class ImpatientTime : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.FromMilliseconds(10), period);
    }
}
