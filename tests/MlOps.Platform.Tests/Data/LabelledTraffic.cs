using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MlOps.Platform.Data.Schema;

namespace MlOps.Platform.Tests.Data;

/// <summary>The tests of live quality, export, retention and query plans share one PostgreSQL server, one after another.</summary>
[CollectionDefinition(Name)]
public sealed class LabelledTrafficServer : ICollectionFixture<PostgresServer>
{
    public const string Name = "Labelled traffic";
}

/// <summary>One row of a model's sample data: what a caller sends, and the truth that feedback reports later.</summary>
public sealed record SampleRow(JsonObject Instance, LabeledRow Labelled);

/// <summary>A prediction the service answered: its id and the element of <c>predictions</c> the client received.</summary>
public sealed record AnsweredPrediction(Guid Id, JsonNode Answer);

/// <summary>Real traffic for the log's readers: sample rows sent to the service, rows written straight into the tables, and truths.</summary>
public static class LabelledTraffic
{
    private static readonly Dictionary<string, IReadOnlyList<SampleRow>> s_samples = new(StringComparer.Ordinal);

    /// <summary>The first <paramref name="count"/> rows of the model's sample data (data/&lt;name&gt;.csv), as instances and as validated training rows.</summary>
    public static IReadOnlyList<SampleRow> Samples(ModelDefinition model, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<SampleRow> all;
        lock (s_samples)
        {
            if (!s_samples.TryGetValue(model.Name, out all!))
            {
                var instances = SampleInstances.All(model);
                var rows = TrainingData.Load(model, Repository.DataPath(model));
                rows.Should().HaveCount(instances.Count);
                all = [.. instances.Zip(rows, (i, r) => new SampleRow(i, r))];
                s_samples[model.Name] = all;
            }
        }

        return [.. all.Take(count)];
    }

    /// <summary>The truth of a sample row as feedback stores it: <c>true</c>/<c>false</c>, a class, a number.</summary>
    public static string TruthOf(ModelDefinition model, LabeledRow row) => (model ?? throw new ArgumentNullException(nameof(model))).LabelText(row);

    /// <summary>A truth of the model that is not <paramref name="truth"/>.</summary>
    public static string WrongTruth(ModelDefinition model, string truth)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Task switch
        {
            ModelTask.Binary => truth == "true" ? "false" : "true",
            ModelTask.Multiclass => model.Label.Classes.First(c => c != truth),
            _ => (double.Parse(truth, CultureInfo.InvariantCulture) + 1000).ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Sends the instances to the model's predict endpoint, ten per request; returns each prediction's id and answer, in order.</summary>
    public static async Task<List<AnsweredPrediction>> PredictAsync(HttpClient client, ModelDefinition model, IEnumerable<JsonObject> instances)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(model);
        var answered = new List<AnsweredPrediction>();
        foreach (var chunk in (instances ?? throw new ArgumentNullException(nameof(instances))).Chunk(10))
        {
            var body = new JsonObject { ["instances"] = new JsonArray([.. chunk.Select(i => i.DeepClone())]) };
            var response = await client.PostAsJsonAsync(ServedModelCases.PredictUri(model), body);
            response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var predictions = (await response.Content.ReadFromJsonAsync<JsonObject>())!["predictions"]!.AsArray();
            var ids = LoggedService.IdsOf(response);
            ids.Should().HaveCount(chunk.Length);
            answered.AddRange(ids.Select((id, i) => new AnsweredPrediction(id, predictions[i]!.DeepClone())));
        }

        return answered;
    }

    /// <summary>The outcome a client was given, read from its answer as an evaluator takes it (floats, as the model produced them).</summary>
    public static Outcome OutcomeOf(ModelDefinition model, JsonNode answer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(answer);
        return model.Task switch
        {
            ModelTask.Binary => new BinaryOutcome(
                answer["label"]!.GetValue<bool>(), (float)answer["probability"]!.GetValue<double>(), (float)answer["score"]!.GetValue<double>()),
            ModelTask.Multiclass => new MulticlassOutcome(
                answer["label"]!.GetValue<string>(), [.. model.Label.Classes.Select(c => (float)answer["probabilities"]![c]!.GetValue<double>())]),
            _ => new RegressionOutcome((float)answer["value"]!.GetValue<double>()),
        };
    }

    /// <summary>A row of table <c>predictions</c> written straight into the database.</summary>
    public static PredictionRecord Prediction(string model, DateTime createdAt, string outputs, string? inputs = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Model = model,
        ModelVersion = "test",
        RequestId = "test",
        CreatedAt = createdAt,
        Inputs = inputs,
        Outputs = outputs,
        LatencyMs = 1,
    };

    /// <summary>A row of table <c>feedback</c> written straight into the database.</summary>
    public static FeedbackRecord Feedback(Guid predictionId, string truth, DateTime createdAt) => new()
    {
        Id = Guid.CreateVersion7(),
        PredictionId = predictionId,
        Truth = truth,
        CreatedAt = createdAt,
        Source = "test",
    };

    /// <summary>Writes the rows in one transaction.</summary>
    public static async Task AddAsync(TestDatabase database, IEnumerable<PredictionRecord> predictions, IEnumerable<FeedbackRecord> feedback)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var context = database.Database.CreateContext();
        context.Predictions.AddRange(predictions);
        context.Feedback.AddRange(feedback);
        await context.SaveChangesAsync();
    }
}
