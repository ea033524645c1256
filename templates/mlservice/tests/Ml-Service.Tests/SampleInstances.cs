using System.Text.Json.Nodes;

namespace Ml_Service.Tests;

/// <summary>Rows of the sample data as a caller sends them: numbers as JSON numbers, categories as strings, no label.</summary>
internal static class SampleInstances
{
    /// <summary>Every row of data/churn.csv, in file order.</summary>
    public static List<JsonObject> All()
    {
        var lines = File.ReadAllLines(Repository.DataPath);
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(line => FromCsv(header, line.Split(','))).ToList();
    }

    /// <summary>One CSV row (<paramref name="cells"/> under <paramref name="header"/>) as a prediction instance.</summary>
    public static JsonObject FromCsv(string[] header, string[] cells)
    {
        var instance = new JsonObject();
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i] != TrainingData.LabelColumn)
            {
                var raw = RawValue.FromCsv(cells[i]);
                instance[header[i]] = raw.Kind == RawKind.Number ? JsonValue.Create(raw.Number) : JsonValue.Create(raw.Text);
            }
        }

        return instance;
    }
}
