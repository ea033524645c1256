using System.Text.Json.Nodes;
using MlOps.Platform.Data;
using MlOps.Platform.Data.Schema;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// The export of real traffic on each database: a model's labelled predictions become its training CSV, which
/// training loads back row for row; what cannot be a training row is counted by reason and left out.
/// </summary>
[Collection(LabelledTrafficServer.Name)]
public sealed class PredictionExportTests(PostgresServer postgres) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-export-").FullName;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_models_labelled_traffic_exports_as_its_training_csv_and_training_loads_back_the_rows_that_were_sent(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        await using var service = new LoggedService(database);
        var client = await service.CreateStartedClientAsync();
        var now = DateTime.UtcNow;
        var answers = new Dictionary<string, List<AnsweredPrediction>>(StringComparer.Ordinal);
        foreach (var model in ModelCatalog.All)
        {
            answers[model.Name] = await LabelledTraffic.PredictAsync(client, model, LabelledTraffic.Samples(model, 30).Select(s => s.Instance));
        }

        await database.WaitForPredictionsAsync([.. answers.Values.SelectMany(a => a).Select(a => a.Id)]);
        foreach (var model in ModelCatalog.All)
        {
            var samples = LabelledTraffic.Samples(model, 30);
            var answered = answers[model.Name];
            // The first 25 are labelled (the first 5 corrected by a later truth); the last 5 have no feedback.
            var truths = samples.Select(s => LabelledTraffic.TruthOf(model, s.Labelled)).ToList();
            var feedback = answered.Take(25).Select((a, i) => LabelledTraffic.Feedback(a.Id, truths[i], now))
                .Concat(answered.Take(5).Select((a, i) => LabelledTraffic.Feedback(a.Id, LabelledTraffic.WrongTruth(model, truths[i]), now.AddMinutes(-1))));
            await LabelledTraffic.AddAsync(database, [], feedback);
            var path = Path.Combine(_folder, provider.ToString(), model.DataPath);

            var counts = await PredictionExport.WriteTrainingCsvAsync(model, database.Database, path);

            counts.Should().Be(new PredictionExportCounts(25, 0, 0, 0, 0), model.Name);
            var lines = await File.ReadAllLinesAsync(path);
            lines[0].Should().Be(File.ReadLines(Repository.DataPath(model)).First(), "the header of data/<name>.csv");
            var bytes = await File.ReadAllBytesAsync(path);
            (bytes[0], bytes[^1]).Should().Be(((byte)lines[0][0], (byte)'\n'), "no byte-order mark, and a line end after the last row");
            // The instances of one request share their time, so rows are compared as a set, not in order.
            TrainingData.Load(model, path).Select(r => Row(model, r)).Should().BeEquivalentTo(
                samples.Take(25).Select(s => Row(model, s.Labelled)), "the features sent and the latest truth");
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Predictions_without_usable_inputs_or_truth_are_counted_by_reason_and_left_out_and_since_bounds_the_export(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        var model = ModelCatalog.All.First(m => m.Task == ModelTask.Binary && m.CategoricalFeatures.Count > 0);
        var rows = LabelledTraffic.Samples(model, 12).Select(s => s.Labelled).ToList();
        var now = DateTime.UtcNow;
        string Stored(int i) => PendingPredictions.Inputs(model, rows[i], InputsMode.Store);
        var outOfRange = JsonNode.Parse(Stored(8))!.AsObject();
        outOfRange[model.NumericFeatures[0].Name] = model.NumericFeatures[0].Max + 1;
        var withRemovedFeature = JsonNode.Parse(Stored(3))!.AsObject();
        withRemovedFeature["a_removed_feature"] = 3;
        var predictions = new List<(PredictionRecord Row, string? Truth)>
        {
            (At(-10 * 86_400, Stored(0)), "true"), // before since
            (At(1, Stored(1)), "true"),
            (At(2, Stored(2)), "false"),
            (At(3, withRemovedFeature.ToJsonString()), "true"), // a feature the model no longer has is left behind
            (At(4, PendingPredictions.Inputs(model, rows[4], InputsMode.Hash)), "true"),
            (At(5, PendingPredictions.Inputs(model, rows[5], InputsMode.Hash)), "false"),
            (At(6, null), "true"),
            (At(7, Stored(7)), "maybe"),
            (At(8, outOfRange.ToJsonString()), "false"),
            (At(9, Stored(9)), null), // no feedback: not labelled, not counted
        };
        var other = LabelledTraffic.Prediction(ModelCatalog.All.First(m => m != model).Name, now, "{}", Stored(10));
        await LabelledTraffic.AddAsync(
            database,
            [.. predictions.Select(p => p.Row), other],
            [.. predictions.Where(p => p.Truth is not null).Select(p => LabelledTraffic.Feedback(p.Row.Id, p.Truth!, now)), LabelledTraffic.Feedback(other.Id, "true", now)]);
        var path = Path.Combine(_folder, provider.ToString(), "since.csv");

        var counts = await PredictionExport.WriteTrainingCsvAsync(model, database.Database, path, since: now.AddDays(-5));
        var all = await PredictionExport.WriteTrainingCsvAsync(model, database.Database, path + ".all");

        counts.Should().Be(new PredictionExportCounts(Written: 3, InputsHashed: 2, InputsOmitted: 1, TruthInvalid: 1, InputsInvalid: 1));
        counts.Skipped.Should().Be(5);
        all.Written.Should().Be(4, "without a start, the older prediction is exported too");
        TrainingData.Load(model, path).Select(model.LabelText).Should().Equal("true", "false", "true");
        Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Should().BeEquivalentTo("since.csv", "since.csv.all");

        // Two days ago plus some seconds: one time each, so the file's order is theirs.
        PredictionRecord At(int seconds, string? inputs) =>
            LabelledTraffic.Prediction(model.Name, now.AddDays(-2).AddSeconds(seconds), """{"label":true,"probability":0.9,"score":2}""", inputs);
    }

    /// <summary>A training row as text: its numbers (the derived features' included), categories and label.</summary>
    private static string Row(ModelDefinition model, LabeledRow row) =>
        string.Join('|', row.Numbers.Select(n => n.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Concat(row.Categories).Append(model.LabelText(row)));

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
