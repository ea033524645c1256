using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Ml_Service.Tests.Api;

/// <summary>
/// ml_feature_drift_psi compares the latest inputs with the training distribution recorded in the
/// manifest (feature_reference): near 0 for inputs like the training data, large for inputs the
/// model never saw.
/// </summary>
public sealed class DriftTests : IDisposable
{
    private static readonly Uri s_predict = new("/v1/models/churn:predict", UriKind.Relative);

    private readonly ModelFolder _folder = new();

    [Fact]
    public async Task Inputs_like_the_training_data_have_a_small_psi_once_100_were_seen()
    {
        _folder.Install(SharedModel.ModelPath, manifest => manifest["feature_reference"] = ReferenceOf(SampleInstances.All()));
        using var factory = new ApiFactory { ModelPath = _folder.ModelPath };
        var client = await factory.CreateStartedClientAsync();
        var rows = SampleInstances.All().Where((_, i) => i % 3 == 0).ToList();

        await PredictAsync(client, rows.Take(DriftMonitorMinimum - 1));
        var early = await MetricsScrape.GetAsync(client);
        await PredictAsync(client, rows.Skip(DriftMonitorMinimum - 1));
        var scrape = await MetricsScrape.GetAsync(client);

        early.Find("ml_feature_drift_psi").Should().BeEmpty("fewer than 100 inputs say little about a distribution");
        var psi = scrape.Find("ml_feature_drift_psi", "model=churn").ToDictionary(s => s.Labels["feature"], s => s.Value);
        psi.Keys.Should().BeEquivalentTo(FeatureSchema.Columns.Select(c => c.Name));
        psi.Values.Should().OnlyContain(v => v >= 0 && v < 0.1, $"inputs drawn from the training data do not drift: {Describe(psi)}");
    }

    [Fact]
    public async Task Inputs_all_at_one_extreme_give_a_large_psi_for_that_feature()
    {
        _folder.Install(SharedModel.ModelPath, manifest => manifest["feature_reference"] = ReferenceOf(SampleInstances.All()));
        using var factory = new ApiFactory { ModelPath = _folder.ModelPath };
        var client = await factory.CreateStartedClientAsync();
        var rows = SampleInstances.All().Take(120).Select(row =>
        {
            var copy = row.DeepClone().AsObject();
            copy[FeatureSchema.TenureMonths] = 600;
            return copy;
        });

        await PredictAsync(client, rows);
        var scrape = await MetricsScrape.GetAsync(client);

        var psi = scrape.Find("ml_feature_drift_psi", "model=churn").ToDictionary(s => s.Labels["feature"], s => s.Value);
        psi[FeatureSchema.TenureMonths].Should().BeGreaterThan(0.25, Describe(psi));
        psi.Where(p => p.Key != FeatureSchema.TenureMonths).Select(p => p.Value).Should().OnlyContain(v => v < 0.25, Describe(psi));
        scrape.Sum("ml_feature_value_bucket", "feature=tenure_months", "le=540").Should().Be(0, "every served tenure was 600");
        scrape.Sum("ml_feature_value_count", "feature=tenure_months").Should().Be(120);
    }

    [Fact]
    public async Task A_model_without_a_training_reference_publishes_no_drift()
    {
        _folder.Install(SharedModel.ModelPath, manifest => manifest.Remove("feature_reference"));
        using var factory = new ApiFactory { ModelPath = _folder.ModelPath };
        var client = await factory.CreateStartedClientAsync();

        await PredictAsync(client, SampleInstances.All().Take(150));
        var scrape = await MetricsScrape.GetAsync(client);

        scrape.Find("ml_feature_drift_psi").Should().BeEmpty();
        scrape.Sum("ml_feature_value_count", "feature=monthly_charges").Should().Be(150, "input distributions are still recorded");
    }

    public void Dispose() => _folder.Dispose();

    private static int DriftMonitorMinimum => Ml_Service.Api.Serving.DriftMonitor.MinimumInputs;

    /// <summary>
    /// feature_reference as training records it: numeric features get the deciles of the data as interior bin
    /// edges (a value is in bin i when i edges are at or below it) and the share of rows per bin;
    /// categorical features get the schema's categories and the share of each.
    /// </summary>
    private static JsonObject ReferenceOf(IReadOnlyList<JsonObject> rows)
    {
        var reference = new JsonObject();
        foreach (var column in FeatureSchema.Columns)
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

    private static async Task PredictAsync(HttpClient client, IEnumerable<JsonObject> rows)
    {
        foreach (var batch in rows.Chunk(10))
        {
            var body = new JsonObject { ["instances"] = new JsonArray(batch.Select(r => (JsonNode)r.DeepClone()).ToArray()) };
            var response = await client.PostAsync(s_predict, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }

    private static string Describe(Dictionary<string, double> psi) =>
        string.Join(", ", psi.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:F3}")));
}
