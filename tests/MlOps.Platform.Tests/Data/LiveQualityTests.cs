using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using MlOps.Platform.Data;
using MlOps.Platform.Data.Schema;
using Npgsql;
using Xunit.Abstractions;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// The live quality of the served models on each database: a pass publishes the task's metrics of the newest labelled
/// predictions (the latest feedback of each), equal to what training's evaluators compute on the same answers and
/// truths; the window, the age limit and the minimum hold; the timer runs the passes; an unreachable database changes
/// nothing and is logged once.
/// </summary>
[Collection(LabelledTrafficServer.Name)]
public sealed class LiveQualityTests(PostgresServer postgres, ITestOutputHelper output)
{
    private const int Labelled = 60;

    /// <summary>No pass by the timer during the test: it runs the pass itself, when its traffic is complete.</summary>
    private static readonly Dictionary<string, string?> s_manualPasses = new() { ["PredictionLog:LiveQualityIntervalSeconds"] = "3600" };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_models_live_quality_is_what_TaskMetrics_computes_on_its_answers_and_latest_truths(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        await using var service = new LoggedService(database, s_manualPasses);
        var client = await service.CreateStartedClientAsync();
        var now = DateTime.UtcNow;
        var answers = new Dictionary<string, List<AnsweredPrediction>>(StringComparer.Ordinal);
        foreach (var model in ModelCatalog.All)
        {
            // Ten more predictions than are labelled: those without feedback do not count.
            answers[model.Name] = await LabelledTraffic.PredictAsync(client, model, LabelledTraffic.Samples(model, Labelled + 10).Select(s => s.Instance));
        }

        await database.WaitForPredictionsAsync([.. answers.Values.SelectMany(a => a).Select(a => a.Id)]);
        foreach (var model in ModelCatalog.All)
        {
            var answered = answers[model.Name];
            var truths = LabelledTraffic.Samples(model, Labelled).Select(s => LabelledTraffic.TruthOf(model, s.Labelled)).ToList();
            var feedback = answered.Take(Labelled).Select((a, i) => i < 10
                    // Corrected later: the first ten get a wrong truth now and the right one through the endpoint below.
                    ? LabelledTraffic.Feedback(a.Id, LabelledTraffic.WrongTruth(model, truths[i]), now.AddMinutes(-1))
                    : LabelledTraffic.Feedback(a.Id, truths[i], now))
                .ToList();
            // Labelled predictions older than LiveQualityMaxAgeDays (30), all wrong: never counted.
            var old = answered.Take(20).Select(a => LabelledTraffic.Prediction(model.Name, now.AddDays(-31), a.Answer.ToJsonString())).ToList();
            feedback.AddRange(old.Select((p, i) => LabelledTraffic.Feedback(p.Id, LabelledTraffic.WrongTruth(model, truths[i]), now)));
            await LabelledTraffic.AddAsync(database, old, feedback);
            for (var i = 0; i < 10; i++)
            {
                var response = await LoggedService.FeedbackAsync(client, model.Name, new { prediction_id = answered[i].Id, truth = Sent(model, truths[i]) });
                response.StatusCode.Should().Be(HttpStatusCode.Accepted);
            }
        }

        var ml = new MLContext(seed: 1);
        var expected = ModelCatalog.All.ToDictionary(
            m => m.Name,
            m => TaskMetrics.FromOutcomes(
                ml,
                m,
                [.. answers[m.Name].Take(Labelled).Select(a => LabelledTraffic.OutcomeOf(m, a.Answer))],
                [.. LabelledTraffic.Samples(m, Labelled).Select(s => s.Labelled)],
                0));

        // The monitor the service runs in the background (a pass every minute by default), here asked for one pass now.
        var monitor = service.Services.GetRequiredService<LiveQualityMonitor>();
        service.Services.GetServices<IHostedService>().Should().Contain(monitor);
        (await monitor.RefreshAsync()).Should().BeTrue();

        var scrape = await MetricsScrape.GetAsync(client);
        foreach (var model in ModelCatalog.All)
        {
            scrape.Sum(LiveQualityMetrics.Labelled, $"model={model.Name}").Should().Be(Labelled, model.Name);
            var kind = model.Task.Kind();
            foreach (var metric in new[] { kind.PrimaryMetric, kind.SecondaryMetric })
            {
                var live = scrape.Find(LiveQualityMetrics.Quality, $"model={model.Name}", $"metric={metric}").Should().ContainSingle().Subject.Value;
                output.WriteLine($"{provider} {model.Name} {metric}: live {live:R}, TaskMetrics {expected[model.Name][metric]:R}");
                live.Should().BeApproximately(expected[model.Name][metric], 1e-9, $"{model.Name} {metric} (TaskMetrics {expected[model.Name][metric]:R})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Only_the_newest_window_of_served_models_counts_and_below_the_minimum_only_the_count_is_published(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        using var monitored = new StandaloneMonitor(database, window: 40, minLabelled: 30, intervalSeconds: 1);
        var binary = ModelCatalog.All.First(m => m.Task == ModelTask.Binary);
        var multiclass = ModelCatalog.All.First(m => m.Task == ModelTask.Multiclass);
        var regression = ModelCatalog.All.First(m => m.Task == ModelTask.Regression);
        var now = DateTime.UtcNow;
        // 50 of the binary model a second apart: the newest 40 answered right, the 10 before wrong.
        await AddBinaryAsync(database, binary.Name, now, count: 50, wrongFrom: 40);
        // A model this service does not serve: never published, whatever its traffic.
        await AddBinaryAsync(database, "retired", now, count: 50, wrongFrom: 50);
        var plan = Enumerable.Range(0, 20).Select(i => LabelledTraffic.Prediction(multiclass.Name, now.AddSeconds(-i), $$"""{"label":"{{multiclass.Label.Classes[0]}}"}""")).ToList();
        await LabelledTraffic.AddAsync(database, plan, plan.Select(p => LabelledTraffic.Feedback(p.Id, multiclass.Label.Classes[0], now)));

        // The first pass is the timer's, a second after the start.
        await monitored.Monitor.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var scrape = await monitored.ScrapeAsync();
        while (scrape.Find(LiveQualityMetrics.Labelled).Count() < ModelCatalog.All.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            scrape = await monitored.ScrapeAsync();
        }

        await monitored.Monitor.StopAsync(CancellationToken.None);
        scrape.Sum(LiveQualityMetrics.Labelled, $"model={binary.Name}").Should().Be(40, "the window");
        scrape.Find(LiveQualityMetrics.Quality, $"model={binary.Name}").Select(s => (s.Labels["metric"], s.Value))
            .Should().BeEquivalentTo([("auc", 1.0), ("accuracy", 1.0)], "the newest 40 are all right");
        scrape.Sum(LiveQualityMetrics.Labelled, $"model={multiclass.Name}").Should().Be(20);
        scrape.Find(LiveQualityMetrics.Quality, $"model={multiclass.Name}").Should().BeEmpty("20 labelled predictions are below the minimum of 30");
        scrape.Sum(LiveQualityMetrics.Labelled, $"model={regression.Name}").Should().Be(0);
        scrape.Find(LiveQualityMetrics.Quality, $"model={regression.Name}").Should().BeEmpty();
        scrape.Samples.Where(s => s.Name.StartsWith("ml_live_quality", StringComparison.Ordinal)).Should().NotContain(s => s.Labels["model"] == "retired");

        // Ten more labelled plan predictions reach the minimum: its metrics appear.
        var more = Enumerable.Range(0, 10).Select(i => LabelledTraffic.Prediction(multiclass.Name, now.AddSeconds(-30 - i), $$"""{"label":"{{multiclass.Label.Classes[0]}}"}""")).ToList();
        await LabelledTraffic.AddAsync(database, more, more.Select(p => LabelledTraffic.Feedback(p.Id, multiclass.Label.Classes[1], now)));
        (await monitored.Monitor.RefreshAsync()).Should().BeTrue();
        scrape = await monitored.ScrapeAsync();
        scrape.Sum(LiveQualityMetrics.Labelled, $"model={multiclass.Name}").Should().Be(30);
        scrape.Sum(LiveQualityMetrics.Quality, $"model={multiclass.Name}", "metric=accuracy").Should().BeApproximately(20 / 30.0, 1e-12);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_unreachable_database_fails_no_pass_keeps_the_last_values_warns_once_and_computing_resumes(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        using var monitored = new StandaloneMonitor(database);
        var binary = ModelCatalog.All.First(m => m.Task == ModelTask.Binary);
        var now = DateTime.UtcNow;
        await AddBinaryAsync(database, binary.Name, now.AddMinutes(-1), count: 40, wrongFrom: 40);
        (await monitored.Monitor.RefreshAsync()).Should().BeTrue();
        var before = (await monitored.ScrapeAsync()).Find(LiveQualityMetrics.Quality, $"model={binary.Name}").ToList();
        before.Should().HaveCount(2);

        await using (await UnreachableAsync(database))
        {
            (await monitored.Monitor.RefreshAsync()).Should().BeFalse();
            (await monitored.Monitor.RefreshAsync()).Should().BeFalse();

            (await monitored.ScrapeAsync()).Find(LiveQualityMetrics.Quality, $"model={binary.Name}").Should().BeEquivalentTo(before, "the gauges keep their last values");
            monitored.Logs.Should().ContainSingle("an outage is one warning, not one per pass")
                .Which.Should().Match<(LogLevel Level, string Message)>(l => l.Level == LogLevel.Warning && l.Message.Contains("cannot be computed"));
        }

        // Back, with ten newer predictions answered wrong: the next pass sees them, and says it computes again.
        await AddBinaryAsync(database, binary.Name, now, count: 10, wrongFrom: 0);
        (await monitored.Monitor.RefreshAsync()).Should().BeTrue();
        (await monitored.ScrapeAsync()).Sum(LiveQualityMetrics.Quality, $"model={binary.Name}", "metric=accuracy").Should().BeApproximately(0.8, 1e-12);
        monitored.Logs.Select(l => l.Level).Should().Equal(LogLevel.Warning, LogLevel.Information);
        monitored.Logs.Last().Message.Should().Contain("2 passes could not read the database");
    }

    /// <summary>The truth as a client sends it: a JSON boolean, a class, a number.</summary>
    private static object Sent(ModelDefinition model, string truth) => model.Task switch
    {
        ModelTask.Binary => truth == "true",
        ModelTask.Multiclass => truth,
        _ => double.Parse(truth, CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// <paramref name="count"/> labelled binary predictions a second apart back from <paramref name="newest"/>, truths
    /// alternating; answered right (score ranking every true above every false) before index <paramref name="wrongFrom"/>, wrong from it.
    /// </summary>
    private static Task AddBinaryAsync(TestDatabase database, string model, DateTime newest, int count, int wrongFrom)
    {
        var predictions = new List<PredictionRecord>();
        var feedback = new List<FeedbackRecord>();
        for (var i = 0; i < count; i++)
        {
            var truth = i % 2 == 0;
            var said = i < wrongFrom ? truth : !truth;
            var score = said ? 2 + (i * 0.01) : -2 - (i * 0.01);
            var prediction = LabelledTraffic.Prediction(
                model, newest.AddSeconds(-i), string.Create(CultureInfo.InvariantCulture, $$"""{"label":{{(said ? "true" : "false")}},"probability":{{1 / (1 + Math.Exp(-score))}},"score":{{score}}}"""));
            predictions.Add(prediction);
            feedback.Add(LabelledTraffic.Feedback(prediction.Id, truth ? "true" : "false", newest));
        }

        return LabelledTraffic.AddAsync(database, predictions, feedback);
    }

    /// <summary>Makes the database unreachable until disposed: a folder in place of the SQLite file, or a PostgreSQL database refusing connections.</summary>
    private static async Task<IAsyncDisposable> UnreachableAsync(TestDatabase database)
    {
        if (database.Provider == PredictionStore.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
            SqliteConnection.ClearAllPools();
            File.Move(file, file + ".away");
            Directory.CreateDirectory(file);
            return new Restore(() =>
            {
                Directory.Delete(file);
                File.Move(file + ".away", file);
                return Task.CompletedTask;
            });
        }

        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var name = builder.Database!;
        builder.Database = "postgres";
        var admin = builder.ConnectionString;
        await ExecuteAsync(admin, $"ALTER DATABASE {name} ALLOW_CONNECTIONS false");
        await ExecuteAsync(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");
        return new Restore(() => ExecuteAsync(admin, $"ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Restore(Func<Task> restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await restore();
    }
}
