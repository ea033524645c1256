using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// ml_feature_drift_psi compares the latest inputs of each model with the training distribution recorded in
/// its manifest (feature_reference): near 0 for inputs like the training data, large for inputs the model
/// never saw.
/// </summary>
public sealed class DriftTests : IDisposable
{
    private readonly ModelFolder _folder = new();

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public async Task Inputs_like_the_training_data_have_a_small_psi_once_100_were_seen(string name)
    {
        var model = ServedModelCases.Model(name);
        var sample = SampleInstances.All(model);
        _folder.Install(SharedModel.Of(model).ModelPath, manifest => manifest["feature_reference"] = ReferenceOf(model, sample));
        using var factory = Serving(model);
        var client = await factory.CreateStartedClientAsync();
        var rows = sample.Where((_, i) => i % 3 == 0).ToList();

        await PredictAsync(client, model, rows.Take(DriftMonitorMinimum - 1));
        var early = await MetricsScrape.GetAsync(client);
        await PredictAsync(client, model, rows.Skip(DriftMonitorMinimum - 1));
        var scrape = await MetricsScrape.GetAsync(client);

        early.Find("ml_feature_drift_psi", $"model={name}").Should().BeEmpty("fewer than 100 inputs say little about a distribution");
        var psi = scrape.Find("ml_feature_drift_psi", $"model={name}").ToDictionary(s => s.Labels["feature"], s => s.Value);
        psi.Keys.Should().BeEquivalentTo(model.Features.Select(c => c.Name));
        psi.Values.Should().OnlyContain(v => v >= 0 && v < 0.1, $"inputs drawn from the training data do not drift: {Describe(psi)}");
    }

    [Fact]
    public async Task Inputs_all_at_one_extreme_give_a_large_psi_for_that_feature()
    {
        // The monitor is the same for every model (its features come from the definition): one model shows it.
        var model = ServedModelCases.Any;
        var name = model.Name;
        var sample = SampleInstances.All(model);
        var feature = model.NumericFeatures[0];
        _folder.Install(SharedModel.Of(model).ModelPath, manifest => manifest["feature_reference"] = ReferenceOf(model, sample));
        using var factory = Serving(model);
        var client = await factory.CreateStartedClientAsync();
        var rows = sample.Take(120).Select(row =>
        {
            var copy = row.DeepClone().AsObject();
            copy[feature.Name] = feature.Max;
            return copy;
        });

        await PredictAsync(client, model, rows);
        var scrape = await MetricsScrape.GetAsync(client);

        var psi = scrape.Find("ml_feature_drift_psi", $"model={name}").ToDictionary(s => s.Labels["feature"], s => s.Value);
        psi[feature.Name].Should().BeGreaterThan(0.25, Describe(psi));
        psi.Where(p => p.Key != feature.Name).Select(p => p.Value).Should().OnlyContain(v => v < 0.25, Describe(psi));
        scrape.Sum("ml_feature_value_count", $"model={name}", $"feature={feature.Name}").Should().Be(120);
        scrape.Sum("ml_feature_value_sum", $"model={name}", $"feature={feature.Name}")
            .Should().BeApproximately(120 * (double)(float)feature.Max, 1e-6 * 120 * Math.Max(1, Math.Abs(feature.Max)), "every served value was the maximum");
    }

    [Fact]
    public async Task A_model_without_a_training_reference_publishes_no_drift()
    {
        var model = ServedModelCases.Any;
        _folder.Install(SharedModel.Of(model).ModelPath, manifest => manifest.Remove("feature_reference"));
        using var factory = Serving(model);
        var client = await factory.CreateStartedClientAsync();

        await PredictAsync(client, model, SampleInstances.All(model).Take(150));
        var scrape = await MetricsScrape.GetAsync(client);

        scrape.Find("ml_feature_drift_psi", $"model={model.Name}").Should().BeEmpty();
        scrape.Sum("ml_feature_value_count", $"model={model.Name}", $"feature={model.NumericFeatures[0].Name}")
            .Should().Be(150, "input distributions are still recorded");
    }

    public void Dispose() => _folder.Dispose();

    private static int DriftMonitorMinimum => MlOps.Platform.Serving.Inference.DriftMonitor.MinimumInputs;

    private ApiFactory Serving(ModelDefinition model) => new() { ModelPaths = new Dictionary<string, string> { [model.Name] = _folder.ModelPath } };

    /// <summary>
    /// feature_reference as training records it: numeric features get the deciles of the data as interior bin
    /// edges (a value is in bin i when i edges are at or below it) and the share of rows per bin;
    /// categorical features get the definition's categories and the share of each.
    /// </summary>
    private static JsonObject ReferenceOf(ModelDefinition model, IReadOnlyList<JsonObject> rows)
    {
        var reference = new JsonObject();
        foreach (var column in model.Features)
        {
            if (column is CategoricalFeature categorical)
            {
                var values = rows.Select(r => r[column.Name]!.GetValue<string>()).ToList();
                reference[column.Name] = new JsonObject
                {
                    ["kind"] = "categorical",
                    ["categories"] = new JsonArray(categorical.Allowed.Select(c => (JsonNode)c).ToArray()),
                    ["proportions"] = new JsonArray(categorical.Allowed.Select(c => (JsonNode)((double)values.Count(v => v == c) / values.Count)).ToArray()),
                };
            }
            else
            {
                var values = rows.Select(r => (double)(float)r[column.Name]!.GetValue<double>()).Order().ToList();
                var edges = Enumerable.Range(1, 9).Select(d => values[d * values.Count / 10]).ToList();
                var bins = values.Select(v => edges.Count(e => e <= v)).ToList();
                reference[column.Name] = new JsonObject
                {
                    ["kind"] = "numeric",
                    ["edges"] = new JsonArray(edges.Select(e => (JsonNode)e).ToArray()),
                    ["proportions"] = new JsonArray(Enumerable.Range(0, 10).Select(b => (JsonNode)((double)bins.Count(x => x == b) / bins.Count)).ToArray()),
                };
            }
        }

        return reference;
    }

    private static async Task PredictAsync(HttpClient client, ModelDefinition model, IEnumerable<JsonObject> rows)
    {
        foreach (var batch in rows.Chunk(10))
        {
            var body = new JsonObject { ["instances"] = new JsonArray(batch.Select(r => (JsonNode)r.DeepClone()).ToArray()) };
            var response = await client.PostAsync(ServedModelCases.PredictUri(model), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }

    private static string Describe(Dictionary<string, double> psi) =>
        string.Join(", ", psi.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:F3}")));
}
