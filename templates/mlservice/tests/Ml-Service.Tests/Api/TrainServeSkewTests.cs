using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;

namespace Ml_Service.Tests.Api;

/// <summary>
/// The same row must get the same prediction through the training path (CSV, in-memory pipeline)
/// and the serving path (JSON over HTTP, model loaded from disk, pooled engine), for every model.
/// </summary>
public class TrainServeSkewTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public async Task Training_and_serving_predict_the_same_for_the_same_rows(string name)
    {
        var model = ServedModelCases.Model(name);
        var dataPath = Repository.DataPath(model);
        var lines = (await File.ReadAllLinesAsync(dataPath)).Take(51).ToArray();
        var rows = TrainingData.Parse(model, lines, dataPath);
        // The training path: the CSV's rows scored in one batch, as evaluation scores them (an ML.NET pipeline
        // transforms a data view; a model made elsewhere, ONNX, scores through its own runtime).
        using var trained = TrainedModel.Load(SharedModel.Of(model).ModelPath, model);
        var trainingPath = trained.Transformer is { } pipeline ? Transformed(model, pipeline, rows) : trained.Score(rows).Select(Numbers);

        var header = lines[0].Split(',');
        var client = await factory.CreateStartedClientAsync();
        var servingPath = new List<double[]>();
        foreach (var batch in lines.Skip(1).Chunk(10))
        {
            var instances = new JsonArray(batch.Select(line => (JsonNode)SampleInstances.FromCsv(model, header, line.Split(','))).ToArray());
            var response = await client.PostAsJsonAsync(ServedModelCases.PredictUri(model), new JsonObject { ["instances"] = instances });
            response.EnsureSuccessStatusCode();
            servingPath.AddRange((await response.Content.ReadFromJsonAsync<JsonObject>())!["predictions"]!.AsArray()
                .Select(p => ServedModelCases.Numbers(model, p!)));
        }

        servingPath.Should().HaveCount(lines.Length - 1);
        var expected = trainingPath.ToList();
        servingPath.Zip(expected).Should().OnlyContain(
            pair => pair.First.Length == pair.Second.Length && pair.First.Zip(pair.Second).All(v => Math.Abs(v.First - v.Second) <= 1e-6 * Math.Max(1, Math.Abs(v.Second))),
            "training and serving must score every row alike");
    }

    private static IEnumerable<double[]> Transformed(ModelDefinition model, ITransformer pipeline, IReadOnlyList<LabeledRow> rows)
    {
        var ml = new MLContext();
        var scored = pipeline.Transform(model.ToDataView(ml, rows));
        return model.Task switch
        {
            ModelTask.Binary => ml.Data.CreateEnumerable<BinaryPrediction>(scored, reuseRowObject: false).Select(p => new[] { (double)p.Probability }),
            ModelTask.Multiclass => ml.Data.CreateEnumerable<MulticlassPrediction>(scored, reuseRowObject: false).Select(p => p.Score.Select(s => (double)s).ToArray()),
            _ => ml.Data.CreateEnumerable<RegressionPrediction>(scored, reuseRowObject: false).Select(p => new[] { (double)p.Score }),
        };
    }

    private static double[] Numbers(Outcome outcome) => outcome switch
    {
        BinaryOutcome binary => [binary.Probability],
        MulticlassOutcome multiclass => [.. multiclass.Probabilities.Select(p => (double)p)],
        RegressionOutcome regression => [regression.Value],
        _ => [],
    };
}
