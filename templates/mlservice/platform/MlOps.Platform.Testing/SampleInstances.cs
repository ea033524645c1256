using System.Text.Json.Nodes;

namespace MlOps.Platform.Testing;

/// <summary>Rows of a model's sample data as a caller sends them: numbers as JSON numbers, categories as strings, no label.</summary>
public static class SampleInstances
{
    /// <summary>Every row of the model's sample data, in file order.</summary>
    public static List<JsonObject> All(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lines = File.ReadAllLines(Repository.DataPath(model));
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(line => FromCsv(model, header, line.Split(','))).ToList();
    }

    /// <summary>One CSV row (<paramref name="cells"/> under <paramref name="header"/>) as a prediction instance.</summary>
    public static JsonObject FromCsv(ModelDefinition model, string[] header, string[] cells)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(cells);
        var instance = new JsonObject();
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i] != model.Label.Name)
            {
                var raw = RawValue.FromCsv(cells[i]);
                var isCategory = model.CategoricalFeatures.Any(f => f.Name == header[i]);
                instance[header[i]] = raw.Kind == RawKind.Number && !isCategory ? JsonValue.Create(raw.Number) : JsonValue.Create(raw.Text);
            }
        }

        return instance;
    }
}
