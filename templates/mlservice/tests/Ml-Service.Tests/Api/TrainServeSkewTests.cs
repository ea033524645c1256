using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;

namespace Ml_Service.Tests.Api;

/// <summary>
/// The same row must get the same prediction through the training path (CSV, in-memory pipeline)
/// and the serving path (JSON over HTTP, model loaded from disk, pooled engine).
/// </summary>
public class TrainServeSkewTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Training_and_serving_predict_the_same_for_the_same_rows()
    {
        var lines = (await File.ReadAllLinesAsync(Repository.DataPath)).Take(51).ToArray();
        var rows = TrainingData.Parse(lines, Repository.DataPath);
        var ml = new MLContext();
        var trainingPath = ml.Data
            .CreateEnumerable<ChurnScore>(
                ml.Model.Load(SharedModel.ModelPath, out _).Transform(ml.Data.LoadFromEnumerable(rows)),
                reuseRowObject: false)
            .Select(s => (double)s.Probability)
            .ToList();

        var header = lines[0].Split(',');
        var client = await factory.CreateStartedClientAsync();
        var servingPath = new List<double>();
        foreach (var batch in lines.Skip(1).Chunk(10))
        {
            var instances = new JsonArray(batch.Select(line => (JsonNode)SampleInstances.FromCsv(header, line.Split(','))).ToArray());
            var response = await client.PostAsJsonAsync(new Uri("/v1/models/churn:predict", UriKind.Relative), new JsonObject { ["instances"] = instances });
            response.EnsureSuccessStatusCode();
            servingPath.AddRange((await response.Content.ReadFromJsonAsync<JsonObject>())!["predictions"]!.AsArray()
                .Select(p => p!["probability"]!.GetValue<double>()));
        }

        servingPath.Should().HaveCount(50);
        servingPath.Should().Equal(trainingPath, (served, trained) => Math.Abs(served - trained) < 1e-6);
    }
}
