using System.Globalization;
using System.Security.Cryptography;

namespace MlOps.Platform.Training;

/// <summary>
/// Reads a model's training CSV and validates every row against the model's definition (its features
/// and its label) before any training starts. Bad data fails with a report that names each row and column.
/// </summary>
public static class TrainingData
{
    /// <summary>Most problems listed in one report; the total is always given.</summary>
    private const int MaxReportedProblems = 50;

    /// <summary>Reads the CSV at <paramref name="path"/> and validates it as <see cref="Parse"/> does; a <see cref="TrainingException"/> when the file does not exist.</summary>
    public static IReadOnlyList<LabeledRow> Load(ModelDefinition model, string path)
    {
        if (!File.Exists(path))
        {
            throw new TrainingException($"Training data '{path}' does not exist.");
        }

        return Parse(model, File.ReadAllLines(path), path);
    }

    /// <summary>Validates CSV <paramref name="lines"/> (a header, then one row per line; blank lines skipped) against <paramref name="model"/>; a <see cref="TrainingException"/> lists every problem by row and column, or says the label has fewer than two distinct values.</summary>
    public static IReadOnlyList<LabeledRow> Parse(ModelDefinition model, IReadOnlyList<string> lines, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            throw new TrainingException($"Training data '{source}' is empty; expected a header row.");
        }

        var label = model.Label.Name;
        var header = CsvFile.SplitLine(lines[0]).Select(h => h.Trim()).ToArray();
        var missingColumns = model.Features.Select(c => c.Name).Append(label).Except(header).ToList();
        if (missingColumns.Count > 0)
        {
            throw new TrainingException($"Training data '{source}' lacks the column(s): {string.Join(", ", missingColumns)}.");
        }

        var textColumns = model.CategoricalFeatures.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        if (model.Task == ModelTask.Multiclass)
        {
            textColumns.Add(label);
        }

        var problems = new List<string>();
        var rows = new List<LabeledRow>(lines.Count);
        for (var i = 1; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var rowNumber = i + 1; // 1-based line number as an editor shows it, header included
            var cells = CsvFile.SplitLine(lines[i]);
            if (cells.Count != header.Length)
            {
                problems.Add($"row {rowNumber}: has {cells.Count} values, the header has {header.Length}");
                continue;
            }

            var record = new Dictionary<string, RawValue>(StringComparer.Ordinal);
            for (var c = 0; c < header.Length; c++)
            {
                var value = RawValue.FromCsv(cells[c]);
                // A CSV has no types: a category coded as a number ("2") is still the category "2".
                record[header[c]] = value.Kind == RawKind.Number && textColumns.Contains(header[c]) ? RawValue.Of(value.Text!) : value;
            }

            var errors = new List<FeatureError>();
            var row = model.ValidateExample(record, errors);
            problems.AddRange(errors.Select(e => $"row {rowNumber}, column {e.Field}: {e.Message}"));
            if (row is not null && errors.Count == 0)
            {
                rows.Add(row);
            }
        }

        if (problems.Count > 0)
        {
            var shown = string.Join(Environment.NewLine, problems.Take(MaxReportedProblems).Select(p => "  " + p));
            throw new TrainingException(
                $"Training data '{source}' failed validation with {problems.Count} problem(s):{Environment.NewLine}{shown}");
        }

        CheckLabels(model, rows, source);
        return rows;
    }

    /// <summary>One line about the labels of <paramref name="rows"/>: how many of each outcome, or their range.</summary>
    public static string DescribeLabels(ModelDefinition model, IReadOnlyList<LabeledRow> rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        var label = model.Label.Name;
        return model.Task switch
        {
            ModelTask.Binary => $"{label}: {rows.Count(r => r.Flag)} true, {rows.Count(r => !r.Flag)} false",
            ModelTask.Multiclass => $"{label}: " + string.Join(", ", model.Label.Classes.Select(c => $"{rows.Count(r => r.Class == c)} {c}")),
            _ => string.Create(
                CultureInfo.InvariantCulture,
                $"{label}: {rows.Min(r => r.Value):0.##} to {rows.Max(r => r.Value):0.##}, mean {rows.Average(r => r.Value):0.##}"),
        };
    }

    /// <summary>The SHA-256 of the file's bytes, as lowercase hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void CheckLabels(ModelDefinition model, List<LabeledRow> rows, string source)
    {
        var distinct = rows.Select(model.LabelText).Distinct(StringComparer.Ordinal).Count();
        if (distinct < 2)
        {
            throw new TrainingException(model.Task == ModelTask.Regression
                ? $"Training data '{source}' needs at least two different values of {model.Label.Name} to train a regression model."
                : $"Training data '{source}' needs rows of at least two classes of {model.Label.Name} to train a classifier.");
        }
    }
}
