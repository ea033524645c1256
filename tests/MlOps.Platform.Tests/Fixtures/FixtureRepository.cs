using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Tests.Fixtures;

/// <summary>
/// A repository folder for a fixture model, laid out as a generated repository (data, params, card, example
/// request), written once per test run into a temporary folder.
/// </summary>
public static class FixtureRepository
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> s_roots = new(StringComparer.Ordinal);

    /// <summary>The root folder holding <paramref name="model"/>'s files.</summary>
    public static string For(FixtureModel model) => s_roots.GetOrAdd(model.Name, _ => new Lazy<string>(() => Write(model))).Value;

    private static string Write(FixtureModel model)
    {
        var root = Directory.CreateTempSubdirectory($"MlOps.Fixture-{model.Name}-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        WriteFile(root, model.DataPath, model.Data.ToCsv());
        WriteFile(root, model.ParamsPath, Params(model.Task));
        WriteFile(root, model.ModelCardPath, Card(model));
        WriteFile(root, model.ExamplePath, Example(model));
        return root;
    }

    private static void WriteFile(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>The sample params of the task with its gate's thresholds set for public data of a few hundred rows.</summary>
    internal static string Params(ModelTask task)
    {
        var gate = task switch
        {
            ModelTask.Binary => "  min_auc: 0.6\n  min_accuracy_gain: 0.0\n",
            ModelTask.Multiclass => "  min_macro_f1: 0.6\n  min_accuracy_gain: 0.1\n",
            _ => "  min_r2: 0.2\n  min_rmse_gain: 0.05\n",
        };
        return "seed: 42\ntest_fraction: 0.2\ntrainer: sdca\nsdca:\n  max_iterations: 200\n  l2_regularization: 0.001\n" +
            "quality_gate:\n" + gate + "  max_regression: 0.05\n";
    }

    private static string Card(FixtureModel model)
    {
        var card = new StringBuilder($"# {model.Name}\n\n{model.Description}\n");
        foreach (var section in ModelCard.Sections)
        {
            card.Append($"\n## {section}\n\n");
            card.Append(section switch
            {
                "Features" => string.Concat(model.Features.Select(f => $"- `{f.Name}`\n"))
                    + string.Concat(model.DerivedFeatures.Select(f => $"- `{f.Name}`: {f.Formula} (derived)\n")),
                "Metrics" => $"Gated on `{TaskMetrics.PrimaryMetric(model.Task)}`.\n",
                _ => "Written by the team.\n",
            });
        }

        return card.Append($"\n## The served model\n\n{ModelCard.BeginMarker}\n{ModelCard.EndMarker}\n").ToString();
    }

    /// <summary>A request with the second and the last row, so data sorted by class gives two classes.</summary>
    private static string Example(FixtureModel model)
    {
        var header = model.Data.Header.ToArray();
        var rows = new[] { model.Data.Rows[1], model.Data.Rows[^1] };
        var instances = new JsonArray([.. rows.Select(r => (JsonNode)SampleInstances.FromCsv(model, header, r))]);
        return new JsonObject { ["instances"] = instances }.ToJsonString() + "\n";
    }
}
