using Microsoft.Data.Sqlite;
using MlOps.Platform.Data;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// When the database stops (PostgreSQL) or stalls (SQLite locked by another writer) under a burst of predictions,
/// every prediction is still answered; what the log cannot keep is dropped and counted, the outage is logged once,
/// and writing resumes when the database is back, with nothing written before lost. Its own server: it stops it.
/// </summary>
public sealed class OutageTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const int Burst = 60;
    private const int Steady = 5;
    private const string Written = "ml_prediction_log_written_total";
    private const string Dropped = "ml_prediction_log_dropped_total";

    /// <summary>A small queue and batches, so the burst overflows the queue.</summary>
    private static readonly Dictionary<string, string?> s_smallQueue = new()
    {
        ["PredictionLog:QueueCapacity"] = "20",
        ["PredictionLog:BatchSize"] = "8",
        ["PredictionLog:FlushIntervalMilliseconds"] = "50",
    };

    [Fact]
    public async Task Postgres_stopped_under_a_burst_fails_no_prediction_drops_and_counts_warns_once_and_writes_again_after_restart()
    {
        using var database = await TestDatabase.MigratedAsync(PredictionStore.Postgres, postgres);

        // Each batch the writer takes fails at once (connection refused) and is dropped.
        await RunOutageAsync(database, PredictionLogMetrics.WriteFailed, postgres.StopAsync, postgres.StartAsync);
    }

    [Fact]
    public async Task Sqlite_locked_by_another_writer_under_a_burst_fails_no_prediction_drops_and_counts_warns_once_and_writes_again_after()
    {
        using var database = await TestDatabase.MigratedAsync(PredictionStore.Sqlite, postgres);
        await using var locker = new SqliteConnection(database.ConnectionString);

        // The writer waits on the lock, so the queue fills.
        await RunOutageAsync(
            database,
            PredictionLogMetrics.QueueFull,
            async () =>
            {
                await locker.OpenAsync();
                await using var begin = locker.CreateCommand();
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            },
            async () =>
            {
                await using var rollback = locker.CreateCommand();
                rollback.CommandText = "ROLLBACK";
                await rollback.ExecuteNonQueryAsync();
                await locker.CloseAsync();
            });
    }

    private static async Task RunOutageAsync(TestDatabase database, string reason, Func<Task> stop, Func<Task> restart)
    {
        await using var service = new LoggedService(database, s_smallQueue);
        var client = await service.CreateStartedClientAsync();
        var model = ServedModelCases.Any;
        var before = await PredictAllAsync(client, model, Steady);
        await database.WaitForPredictionsAsync(before);

        await stop();
        // Two callers at a time: the in-memory client is one address, within its per-client limit.
        var burst = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => PredictAllAsync(client, model, Burst / 2)));
        var during = await ScrapeUntilAsync(client, s => s.Sum(Dropped, $"reason={reason}") > 0);

        during.Sum(Dropped, $"reason={reason}").Should().BeGreaterThan(0);
        service.LogWarnings.Should().ContainSingle("an outage is one warning, not one per prediction")
            .Which.RenderMessage().Should().Contain("dropping predictions");

        await restart();
        // The queue drains once the database answers: every prediction so far is then written or counted as dropped.
        var drained = await ScrapeUntilAsync(client, s => s.Sum(Written) + s.Sum(Dropped) == Steady + Burst);
        (drained.Sum(Written) + drained.Sum(Dropped)).Should().Be(Steady + Burst);
        var after = await PredictAllAsync(client, model, Steady);

        after.Should().HaveCount(Steady, "with the database back, every prediction is logged again");
        await database.WaitForPredictionsAsync(after);
        var stored = (await database.PredictionsAsync()).Select(p => p.Id).ToHashSet();
        stored.Should().Contain(before, "what was written before the outage is kept");
        var total = Steady + Burst + Steady;
        var settled = await ScrapeUntilAsync(client, s => s.Sum(Written) + s.Sum(Dropped) == total);
        (settled.Sum(Written) + settled.Sum(Dropped)).Should().Be(total, "every prediction is either written or counted as dropped");
        settled.Sum(Written).Should().Be((await database.PredictionsAsync()).Count, "the written count is what the database holds");
        burst.Sum(ids => ids.Count).Should().Be(Burst - (int)settled.Sum(Dropped, $"reason={PredictionLogMetrics.QueueFull}"), "exactly the requests that found the queue full carry no ids");
        service.LogWarnings.Should().ContainSingle("the episode ended without another warning");
    }

    /// <summary>Sends <paramref name="count"/> single-instance predictions one after another; every answer must be 200. Returns the ids given.</summary>
    private static async Task<List<Guid>> PredictAllAsync(HttpClient client, ModelDefinition model, int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            ids.AddRange(LoggedService.IdsOf(await LoggedService.PredictAsync(client, model)));
        }

        return ids;
    }

    /// <summary>Scrapes /metrics until <paramref name="done"/> holds, 30 s at most; returns the last scrape.</summary>
    private static async Task<MetricsScrape> ScrapeUntilAsync(HttpClient client, Func<MetricsScrape, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var scrape = await MetricsScrape.GetAsync(client);
        while (!done(scrape) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            scrape = await MetricsScrape.GetAsync(client);
        }

        return scrape;
    }
}
