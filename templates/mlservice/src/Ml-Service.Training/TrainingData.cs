using System.Security.Cryptography;

namespace Ml_Service.Training;

/// <summary>
/// Reads the training CSV and validates every row against <see cref="FeatureSchema"/> before any
/// training starts. Bad data fails with a report that names each row and column.
/// </summary>
public static class TrainingData
{
    public const string LabelColumn = "churned";

    /// <summary>Most problems listed in one report; the total is always given.</summary>
    private const int MaxReportedProblems = 50;

    public static IReadOnlyList<ChurnExample> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new TrainingException($"Training data '{path}' does not exist.");
        }

        return Parse(File.ReadAllLines(path), path);
    }

    public static IReadOnlyList<ChurnExample> Parse(IReadOnlyList<string> lines, string source)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            throw new TrainingException($"Training data '{source}' is empty; expected a header row.");
        }

        var header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        var problems = new List<string>();
        var missingColumns = FeatureSchema.Columns.Select(c => c.Name).Append(LabelColumn).Except(header).ToList();
        if (missingColumns.Count > 0)
        {
            throw new TrainingException($"Training data '{source}' lacks the column(s): {string.Join(", ", missingColumns)}.");
        }

        var rows = new List<ChurnExample>(lines.Count);
        for (var i = 1; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var rowNumber = i + 1; // 1-based line number as an editor shows it, header included
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length)
            {
                problems.Add($"row {rowNumber}: has {cells.Length} values, the header has {header.Length}");
                continue;
            }

            var record = new Dictionary<string, RawValue>(StringComparer.Ordinal);
            for (var c = 0; c < header.Length; c++)
            {
                if (header[c] != LabelColumn)
                {
                    record[header[c]] = RawValue.FromCsv(cells[c]);
                }
            }

            var errors = new List<FeatureError>();
            var example = FeatureSchema.Validate<ChurnExample>(record, errors);
            var label = cells[Array.IndexOf(header, LabelColumn)].Trim();
            if (label is not ("true" or "false"))
            {
                errors.Add(new FeatureError(LabelColumn, $"must be true or false, got '{label}'"));
            }

            problems.AddRange(errors.Select(e => $"row {rowNumber}, column {e.Field}: {e.Message}"));
            if (example is not null && errors.Count == 0)
            {
                example.Churned = label == "true";
                rows.Add(example);
            }
        }

        if (problems.Count > 0)
        {
            var shown = string.Join(Environment.NewLine, problems.Take(MaxReportedProblems).Select(p => "  " + p));
            throw new TrainingException(
                $"Training data '{source}' failed validation with {problems.Count} problem(s):{Environment.NewLine}{shown}");
        }

        if (rows.Select(r => r.Churned).Distinct().Count() < 2)
        {
            throw new TrainingException($"Training data '{source}' needs rows of both classes to train a classifier.");
        }

        return rows;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
