using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The prediction log of a generated repository, used as a team uses it, once per database (a SQLite file by
/// default, a real PostgreSQL with <c>--database postgres</c>): <c>make db-migrate</c>, a session of predictions and
/// feedback against the service running as a process in Production, the live-quality gauge on its metrics,
/// <c>make export-feedback</c>, and <c>make train</c> on the export. With <c>--database none</c> nothing of it exists.
/// </summary>
[Collection(TrainsSharedRepos.Name)]
public sealed partial class PredictionLogTests(ITestOutputHelper output)
{
    private const string Model = "churn";
    private const string Label = "churned";
    private const int BatchSize = 100;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>The scenarios of each database that has a log: sqlite (the default) and postgres.</summary>
    public static TheoryData<string> WithLog => ["defaults", "trainer-lightgbm"];

    [Theory]
    [MemberData(nameof(WithLog))]
    public async Task A_session_of_predictions_and_feedback_gives_live_quality_and_an_export_that_trains(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var repo = await GeneratedRepo.GetAsync(scenario);
        var folder = TestRun.ScenarioFolder(scenarioId, "prediction-log");
        var models = Path.Combine(folder, "models");
        (await Train(repo, models, data: null, "log-1-train")).EnsureSuccess();
        var database = new Dictionary<string, string?> { [ServiceDatabase.ConnectionVariable] = await ServiceDatabase.NewAsync(scenario) };

        var migrated = (await Make.RunAsync(repo.Root, ["db-migrate"], repo.Log("log-2-db-migrate"), environment: database)).EnsureSuccess();
        migrated.Output.Should().Contain("Applied 1 migration(s)");
        (await Make.RunAsync(repo.Root, ["db-migrate"], repo.Log("log-3-db-migrate-again"), environment: database)).EnsureSuccess()
            .Output.Should().Contain("is up to date", "migrating twice changes nothing");

        var rows = DataRows(repo);
        var settings = new Dictionary<string, string?>(database)
        {
            // make db-migrate made the tables: the service must not need to.
            ["PredictionLog__MigrateOnStart"] = "false",
            ["PredictionLog__LiveQualityIntervalSeconds"] = "1",
        };
        double auc, accuracy;
        await using (var service = await RunningService.StartAsync(repo, models, s_timeout, settings, logName: "api-prediction-log"))
        {
            var ids = new List<string>();
            foreach (var batch in rows.Chunk(BatchSize))
            {
                ids.AddRange(await PredictAsync(service.Client, batch));
            }

            ids.Should().HaveCount(rows.Count).And.OnlyHaveUniqueItems();
            for (var i = 0; i < ids.Count; i++)
            {
                (await FeedbackAsync(service.Client, ids[i], rows[i].Truth)).Should().Be(HttpStatusCode.Accepted, service.Process.Describe());
            }

            (auc, accuracy) = await LiveQualityAsync(service, rows.Count);
        }

        output.WriteLine($"{ServiceDatabase.Kind(scenario)}: live quality on {rows.Count} labelled predictions: auc {auc:F4}, accuracy {accuracy:F4}");
        auc.Should().BeInRange(0.75, 1.0, "the model passed its gate (AUC at least 0.75) on this data");
        accuracy.Should().BeInRange(0.5, 1.0);

        var export = Path.Combine(folder, "churn-traffic.csv");
        var exported = (await Make.RunAsync(repo.Root, ["export-feedback", $"MODEL={Model}", $"OUTPUT={export}"], repo.Log("log-4-export"), environment: database))
            .EnsureSuccess();
        exported.Output.Should().Contain($"Wrote {rows.Count} labelled prediction(s) of model {Model}");
        var lines = File.ReadAllLines(export);
        lines[0].Should().Be(File.ReadLines(DataPath(repo)).First(), "the export is the model's training CSV");
        lines.Skip(1).Select(l => l.Split(',')[^1]).Should().Equal(rows.Select(r => r.Truth), "each row carries its feedback as the label, in the order the traffic came");

        // The export is training data: a model is fitted and evaluated on every row of it. Whether that model passes the
        // gate (exit code 2 when not) is the gate's verdict on this data, not the export's concern.
        var trained = await Train(repo, Path.Combine(folder, "models-from-traffic"), export, "log-5-train-on-export");
        trained.ExitCode.Should().BeOneOf([0, 2], trained.ToString());
        trained.Output.Should().Contain($"validated {rows.Count} rows from {export}").And.MatchRegex(@"(?m)^\s*auc\s+0\.\d+", trained.ToString());
    }

    [Fact]
    public async Task Without_a_database_nothing_of_the_log_is_generated()
    {
        var scenario = Scenarios.All.Single(s => ServiceDatabase.Kind(s) == "none");
        var tree = await GeneratedTree.GetAsync(scenario);

        // packages/ is the feed of every platform package, the unused ones included.
        foreach (var file in tree.Files.Where(f => !f.EndsWith(".png", StringComparison.Ordinal) && !f.StartsWith("data/", StringComparison.Ordinal) && !f.StartsWith("packages/", StringComparison.Ordinal)))
        {
            File.ReadAllText(Path.Combine(tree.Root, file)).Should().NotContainAny(
                ["MlOps.Platform.Data", "PredictionLog", "ConnectionStrings", "db-migrate", "export-feedback", "ml_live_quality", "/feedback", "X-Prediction-Ids"],
                $"{file} of a --database none repository must not mention the prediction log");
        }
    }

    private static Task<ProcessResult> Train(GeneratedRepo repo, string models, string? data, string log) =>
        DotNetCli.RunAsync(
            repo.Root,
            ["run", "--project", repo.ProjectFolder("Training"), "--no-build", "--", "train", "--model", Model, "--models", models, .. data is null ? Array.Empty<string>() : ["--data", data]],
            repo.Log(log));

    private static string DataPath(GeneratedRepo repo) => Path.Combine(repo.Root, "data", $"{Model}.csv");

    /// <summary>The rows of the model's data: each as a predict instance (numbers as numbers), and its label.</summary>
    private static List<(JsonObject Instance, string Truth)> DataRows(GeneratedRepo repo)
    {
        var lines = File.ReadAllLines(DataPath(repo)).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        return
        [
            .. lines.Skip(1).Select(line =>
            {
                var cells = line.Split(',');
                var instance = new JsonObject();
                for (var c = 0; c < header.Length; c++)
                {
                    if (header[c] != Label)
                    {
                        instance[header[c]] = double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                            ? JsonValue.Create(number)
                            : JsonValue.Create(cells[c]);
                    }
                }

                return (instance, cells[Array.IndexOf(header, Label)]);
            }),
        ];
    }

    /// <summary>Predicts a batch; returns the prediction ids of its answer, in instance order.</summary>
    private static async Task<string[]> PredictAsync(HttpClient client, IEnumerable<(JsonObject Instance, string Truth)> batch)
    {
        var body = new JsonObject { ["instances"] = new JsonArray([.. batch.Select(r => (JsonNode)r.Instance.DeepClone())]) };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(RepoModels.PredictPath(Model), UriKind.Relative), content);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return response.Headers.GetValues("X-Prediction-Ids").Single().Split(',');
    }

    /// <summary>Sends the truth of prediction <paramref name="id"/>, waiting for the writer to have stored the prediction (404 until then; 503 while the database is not ready).</summary>
    private static async Task<HttpStatusCode> FeedbackAsync(HttpClient client, string id, string truth)
    {
        var body = new JsonObject { ["prediction_id"] = id, ["truth"] = truth, ["source"] = "pack-test" }.ToJsonString();
        var deadline = DateTime.UtcNow + s_timeout;
        while (true)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri($"/v1/models/{Model}/feedback", UriKind.Relative), content);
            if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable) || DateTime.UtcNow > deadline)
            {
                return response.StatusCode;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The live AUC and accuracy of the model once <c>ml_live_quality_labelled</c> counts every labelled prediction.</summary>
    private static async Task<(double Auc, double Accuracy)> LiveQualityAsync(RunningService service, int labelled)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        string metrics;
        do
        {
            metrics = await service.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            if (Sample(metrics, $"ml_live_quality_labelled{{model=\"{Model}\"}}") == labelled
                && Sample(metrics, $"ml_live_quality{{model=\"{Model}\",metric=\"auc\"}}") is { } auc
                && Sample(metrics, $"ml_live_quality{{model=\"{Model}\",metric=\"accuracy\"}}") is { } accuracy)
            {
                return (auc, accuracy);
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"No live quality on {labelled} labelled predictions in {s_timeout}:{Environment.NewLine}"
            + string.Join(Environment.NewLine, metrics.Split('\n').Where(l => l.StartsWith("ml_live", StringComparison.Ordinal) || l.StartsWith("ml_prediction_log", StringComparison.Ordinal)))
            + Environment.NewLine + service.Process.Describe());
    }

    private static double? Sample(string metrics, string series) =>
        SeriesLine().Matches(metrics).Where(m => m.Groups["series"].Value == series)
            .Select(m => (double?)double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)).FirstOrDefault();

    [GeneratedRegex(@"(?m)^(?<series>ml_[^ ]+) (?<value>[^ \n]+)$")]
    private static partial Regex SeriesLine();
}
