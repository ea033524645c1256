using System.Globalization;
using System.Text;

namespace MlOps.Platform.Training;

/// <summary>How a column of a team's CSV becomes a feature.</summary>
public enum FeatureKind
{
    /// <summary>Any number (a <see cref="NumericFeature"/>).</summary>
    Number,

    /// <summary>Whole numbers only (a <see cref="NumericFeature"/> with <c>WholeNumber</c>).</summary>
    WholeNumber,

    /// <summary>Text values, or whole numbers with at most <see cref="DataProfile.MaxCodedCategories"/> distinct values (codes such as 1/2).</summary>
    Categorical,
}

/// <summary>What the profile found in one feature column: its kind, the range it will accept and its categories.</summary>
/// <param name="Column">The column's name in the CSV.</param>
/// <param name="Name">The feature's name in the model and the API (lower case, digits and underscores).</param>
/// <param name="Kind">How the column is read.</param>
/// <param name="Observed">The smallest and largest value seen (numbers only).</param>
/// <param name="Range">The range the model accepts: the observed one widened by <see cref="DataProfile.RangeMargin"/>.</param>
/// <param name="Categories">The categories seen, in order (categorical only).</param>
/// <param name="Distinct">How many distinct values the column has.</param>
public sealed record ColumnProfile(
    string Column, string Name, FeatureKind Kind, (double Min, double Max) Observed, (double Min, double Max) Range,
    IReadOnlyList<string> Categories, int Distinct)
{
    /// <summary>Whether the column holds numbers that are codes of categories (its categories are the numbers' shortest text: 1.000000 is 1).</summary>
    public bool Coded => Kind == FeatureKind.Categorical && Observed != (0, 0);

    /// <summary>A cell as the model reads it: trimmed, and a coded category in its shortest text.</summary>
    public string Normalize(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var text = cell.Trim();
        return Coded ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) : text;
    }
}

/// <summary>What the profile found in the label column.</summary>
/// <param name="Column">The column's name in the CSV.</param>
/// <param name="Name">The label's name in the written data.</param>
/// <param name="Task">The task, given or inferred.</param>
/// <param name="Inferred">Whether the task was inferred from the values.</param>
/// <param name="Positive">The value that means <c>true</c> (binary only).</param>
/// <param name="Classes">The classes in order (multiclass), or the two values, positive first (binary).</param>
/// <param name="Counts">Rows per class (classifiers).</param>
public sealed record LabelProfile(
    string Column, string Name, ModelTask Task, bool Inferred, string? Positive, IReadOnlyList<string> Classes, IReadOnlyDictionary<string, int> Counts);

/// <summary>
/// The profile of a team's CSV for one label: the task, a feature per other column with its kind, range and
/// categories, the label's classes, and the rows kept (rows with an empty cell are dropped: complete cases only).
/// Built by <see cref="Of"/>, which refuses unusable data with a <see cref="TrainingException"/> naming the row and column.
/// </summary>
public sealed record DataProfile(CsvFile Csv, IReadOnlyList<ColumnProfile> Features, LabelProfile Label, IReadOnlyList<CsvRow> Rows, IReadOnlyList<int> DroppedLines)
{
    /// <summary>The fewest complete rows a model is imported from: fewer cannot hold out a test split and still learn.</summary>
    public const int MinRows = 30;

    /// <summary>A whole-number column with at most this many distinct values is a coded category (1/2, 0/1), not a quantity.</summary>
    public const int MaxCodedCategories = 2;

    /// <summary>A text column with more distinct values than this is an identifier or free text, not a category.</summary>
    public const int MaxCategories = 50;

    /// <summary>A label with more classes than this is refused (more likely a regression target or an identifier).</summary>
    public const int MaxClasses = 20;

    /// <summary>
    /// The accepted range of a numeric feature is the observed one widened by this fraction of its width on each side
    /// (never below zero when no value was negative; whole numbers rounded outwards), so that new but plausible values
    /// are scored rather than refused.
    /// </summary>
    public const double RangeMargin = 0.5;

    /// <summary>Binary label values recognised without being told which is positive: the positive value first.</summary>
    public static IReadOnlyList<(string Positive, string Negative)> KnownBinaryValues { get; } =
        [("true", "false"), ("1", "0"), ("yes", "no"), ("y", "n")];

    /// <summary>Profiles <paramref name="csv"/> for the label column <paramref name="label"/>.</summary>
    /// <param name="csv">The team's data.</param>
    /// <param name="label">The column to predict.</param>
    /// <param name="task">The task; inferred from the label's values when null.</param>
    /// <param name="positive">The label value that means <c>true</c> (binary); needed unless the values are a known pair.</param>
    public static DataProfile Of(CsvFile csv, string label, ModelTask? task = null, string? positive = null)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var labelIndex = csv.IndexOf(label);
        if (labelIndex < 0)
        {
            // The column as the model will name it: LABEL=vote finds a header written 'vote' or "Vote".
            var matches = csv.Header.Select((h, i) => (h, i)).Where(c => NameOf(c.h) == NameOf(label)).ToList();
            labelIndex = matches.Count == 1 ? matches[0].i : -1;
        }

        if (labelIndex < 0)
        {
            throw new TrainingException($"'{csv.Source}' has no column '{label}'. Its columns: {string.Join(", ", csv.Header)}. Give the label column with LABEL=<column>.");
        }

        if (csv.Header.Count < 2)
        {
            throw new TrainingException($"'{csv.Source}' has no column besides the label '{label}': a model needs at least one feature.");
        }

        var (rows, dropped) = CompleteRows(csv);
        if (rows.Count < MinRows)
        {
            throw new TrainingException(
                $"'{csv.Source}' has {rows.Count} complete row(s){(dropped.Count > 0 ? $" ({dropped.Count} with an empty cell dropped)" : string.Empty)}; "
                + $"at least {MinRows} are needed to train and hold out a test split.");
        }

        var labelProfile = ProfileLabel(csv, labelIndex, rows, task, positive);
        var names = FeatureNames(csv, labelIndex);
        var features = new List<ColumnProfile>();
        for (var c = 0; c < csv.Header.Count; c++)
        {
            if (c != labelIndex)
            {
                features.Add(ProfileFeature(csv, c, names[c], rows));
            }
        }

        return new DataProfile(csv, features, labelProfile, rows, dropped);
    }

    /// <summary>A feature or label name from a column name: lower case letters, digits and underscores, starting with a letter.</summary>
    public static string NameOf(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var name = new StringBuilder();
        foreach (var c in column.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                name.Append(c);
            }
            else if (name.Length > 0 && name[^1] != '_')
            {
                name.Append('_');
            }
        }

        var result = name.ToString().TrimEnd('_');
        return result.Length == 0 || !char.IsAsciiLetter(result[0]) ? "f_" + result : result;
    }

    /// <summary>Rows whose label and features are all present; the lines of the others.</summary>
    private static (List<CsvRow> Rows, List<int> Dropped) CompleteRows(CsvFile csv)
    {
        var rows = new List<CsvRow>(csv.Rows.Count);
        var dropped = new List<int>();
        foreach (var row in csv.Rows)
        {
            if (row.Cells.Any(string.IsNullOrWhiteSpace))
            {
                dropped.Add(row.Line);
            }
            else
            {
                rows.Add(row);
            }
        }

        return (rows, dropped);
    }

    private static Dictionary<int, string> FeatureNames(CsvFile csv, int labelIndex)
    {
        var names = new Dictionary<int, string>();
        var labelName = NameOf(csv.Header[labelIndex]);
        for (var c = 0; c < csv.Header.Count; c++)
        {
            if (c == labelIndex)
            {
                continue;
            }

            var name = NameOf(csv.Header[c]);
            var clash = names.FirstOrDefault(n => n.Value == name);
            if (clash.Value is not null || name == labelName)
            {
                var other = clash.Value is not null ? csv.Header[clash.Key] : csv.Header[labelIndex];
                throw new TrainingException(
                    $"'{csv.Source}': the columns '{other}' and '{csv.Header[c]}' both become the feature name '{name}' "
                    + "(names are lower-cased, with other characters as underscores). Rename one of them.");
            }

            names[c] = name;
        }

        return names;
    }

    private static ColumnProfile ProfileFeature(CsvFile csv, int column, string name, List<CsvRow> rows)
    {
        var header = csv.Header[column];
        var values = rows.Select(r => r.Cells[column].Trim()).ToArray();
        var distinct = values.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 1)
        {
            throw new TrainingException(
                $"'{csv.Source}': column '{header}' has the same value ('{distinct[0]}') in every row, so it cannot help a model. Drop the column.");
        }

        var numbers = new double[values.Length];
        var firstText = Array.FindIndex(values, (v) => !TryNumber(v, out _));
        if (firstText < 0)
        {
            for (var i = 0; i < values.Length; i++)
            {
                TryNumber(values[i], out numbers[i]);
            }

            var whole = numbers.All(n => n == Math.Floor(n) && Math.Abs(n) < 1e15);
            var distinctNumbers = numbers.Distinct().Count();
            if (whole && distinctNumbers <= MaxCodedCategories)
            {
                var codes = numbers.Distinct().Order().Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray();
                return new ColumnProfile(header, name, FeatureKind.Categorical, (numbers.Min(), numbers.Max()), (numbers.Min(), numbers.Max()), codes, codes.Length);
            }

            var observed = (numbers.Min(), numbers.Max());
            return new ColumnProfile(header, name, whole ? FeatureKind.WholeNumber : FeatureKind.Number, observed, Widen(observed, whole), [], distinctNumbers);
        }

        var numeric = values.Count(v => TryNumber(v, out _));
        if (numeric * 2 > values.Length)
        {
            var row = rows[firstText];
            throw new TrainingException(
                $"'{csv.Source}' line {row.Line}, column '{header}': '{values[firstText]}' is not a number, but most of the column is. "
                + "Fix the value (numbers use a dot for decimals and no thousands separator), or leave the cell empty to drop the row.");
        }

        if (distinct.Length == values.Length)
        {
            throw new TrainingException(
                $"'{csv.Source}': column '{header}' has a different text value in every row ('{values[0]}', '{values[1]}', ...): it names the rows, "
                + "it is not a category a model can learn from. Drop the column.");
        }

        if (distinct.Length > MaxCategories)
        {
            throw new TrainingException(
                $"'{csv.Source}': column '{header}' has {distinct.Length} different text values, too many for a category (at most {MaxCategories}); "
                + "it looks like an identifier or free text. Drop the column, or group its values into fewer categories.");
        }

        return new ColumnProfile(header, name, FeatureKind.Categorical, (0, 0), (0, 0), [.. distinct.Order(StringComparer.Ordinal)], distinct.Length);
    }

    private static LabelProfile ProfileLabel(CsvFile csv, int column, List<CsvRow> rows, ModelTask? task, string? positive)
    {
        var header = csv.Header[column];
        var name = NameOf(header);
        var values = rows.Select(r => r.Cells[column].Trim()).ToArray();
        var counts = values.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var allNumbers = values.All(v => TryNumber(v, out _));
        var allWhole = allNumbers && values.All(v => TryNumber(v, out var n) && n == Math.Floor(n));
        if (counts.Count < 2)
        {
            throw new TrainingException(
                $"'{csv.Source}': the label '{header}' has one value only ('{values[0]}') in every complete row: there is nothing to learn. "
                + "Check the label column, or add rows of the other outcomes.");
        }

        var inferred = task is null;
        var chosen = task ?? (counts.Count == 2 ? ModelTask.Binary
            : allNumbers && (!allWhole || counts.Count > MaxClasses) ? ModelTask.Regression
            : ModelTask.Multiclass);
        switch (chosen)
        {
            case ModelTask.Binary:
                if (counts.Count != 2)
                {
                    throw new TrainingException(
                        $"'{csv.Source}': a binary label needs exactly two values; '{header}' has {counts.Count} ({Sample(counts.Keys)}). "
                        + "Use TASK=multiclass or TASK=regression, or map the values to two.");
                }

                var pair = counts.Keys.ToArray();
                var positiveValue = positive ?? KnownBinaryValues
                    .Where(k => pair.Any(v => v.Equals(k.Positive, StringComparison.OrdinalIgnoreCase)) && pair.Any(v => v.Equals(k.Negative, StringComparison.OrdinalIgnoreCase)))
                    .Select(k => pair.First(v => v.Equals(k.Positive, StringComparison.OrdinalIgnoreCase)))
                    .FirstOrDefault();
                if (positiveValue is null || !pair.Contains(positiveValue, StringComparer.Ordinal))
                {
                    throw new TrainingException(positiveValue is null
                        ? $"'{csv.Source}': the label '{header}' has the values '{pair[0]}' and '{pair[1]}'. Say which one means true with POSITIVE=<value>."
                        : $"'{csv.Source}': POSITIVE='{positiveValue}' is not a value of the label '{header}' (its values: '{pair[0]}', '{pair[1]}').");
                }

                var negativeValue = pair.Single(v => v != positiveValue);
                return new LabelProfile(header, name, ModelTask.Binary, inferred, positiveValue, [positiveValue, negativeValue], counts);
            case ModelTask.Multiclass:
                if (counts.Count > MaxClasses)
                {
                    throw new TrainingException(
                        $"'{csv.Source}': the label '{header}' has {counts.Count} different values, more than the {MaxClasses} classes a multiclass model takes here. "
                        + (allNumbers ? "For a quantity use TASK=regression." : "Group the values into fewer classes."));
                }

                var classes = allNumbers
                    ? counts.Keys.OrderBy(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()
                    : counts.Keys.Order(StringComparer.Ordinal).ToArray();
                return new LabelProfile(header, name, ModelTask.Multiclass, inferred, null, classes, counts);
            default:
                var text = Array.FindIndex(values, v => !TryNumber(v, out _));
                if (text >= 0)
                {
                    throw new TrainingException(
                        $"'{csv.Source}' line {rows[text].Line}: the regression target '{header}' must be a number, got '{values[text]}'.");
                }

                return new LabelProfile(header, name, ModelTask.Regression, inferred, null, [], new Dictionary<string, int>());
        }
    }

    private static string Sample(IEnumerable<string> values)
    {
        var list = values.Take(6).ToList();
        return string.Join(", ", list) + (values.Count() > list.Count ? ", ..." : string.Empty);
    }

    private static bool TryNumber(string text, out double number) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);

    /// <summary>
    /// The profile with coded categories (0/1, 1/2) read as whole numbers: a graph exported elsewhere takes them as the
    /// numbers it was trained on. Text categories stay categories.
    /// </summary>
    public DataProfile WithCodesAsNumbers() => this with
    {
        Features = [.. Features.Select(f => f.Coded ? f with { Kind = FeatureKind.WholeNumber, Range = Widen(f.Observed, whole: true), Categories = [] } : f)],
    };

    private static (double Min, double Max) Widen((double Min, double Max) observed, bool whole)
    {
        var margin = (observed.Max - observed.Min) * RangeMargin;
        var min = observed.Min - margin;
        var max = observed.Max + margin;
        if (observed.Min >= 0)
        {
            min = Math.Max(0, min);
        }

        return whole ? (Math.Floor(min), Math.Ceiling(max)) : (RoundDown(min), RoundUp(max));
    }

    // Four significant digits, outwards, so the written bounds stay short and still contain every observed value.
    private static double RoundDown(double value) => Round(value, Math.Floor);

    private static double RoundUp(double value) => Round(value, Math.Ceiling);

    private static double Round(double value, Func<double, double> direction)
    {
        if (value == 0)
        {
            return 0;
        }

        var scale = Math.Pow(10, 3 - (int)Math.Floor(Math.Log10(Math.Abs(value))));
        return direction(value * scale) / scale;
    }
}
