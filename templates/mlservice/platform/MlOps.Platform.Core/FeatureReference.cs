using System.Text.Json.Serialization;

namespace MlOps.Platform;

/// <summary>
/// How one feature was distributed in the training split, stored in the manifest so serving can tell
/// when the inputs it sees drift away from what the model learned on.
/// </summary>
/// <remarks>
/// A numeric feature has ten bins split by nine interior edges (the deciles of the training values); a
/// value falls in bin <c>i</c> where <c>i</c> is the number of edges less than or equal to it. A categorical
/// feature has one bin per allowed category of its <see cref="CategoricalFeature"/>, in definition order.
/// </remarks>
public sealed record FeatureReference
{
    /// <summary>The <see cref="Kind"/> of a numeric feature, binned by deciles.</summary>
    public const string NumericKind = "numeric";
    /// <summary>The <see cref="Kind"/> of a categorical feature, one bin per allowed category.</summary>
    public const string CategoricalKind = "categorical";

    /// <summary>Bins of a numeric feature.</summary>
    public const int NumericBins = 10;

    /// <summary>Stands in for an empty bin in <see cref="Psi"/>, so one empty bin cannot make the index infinite.</summary>
    public const double Epsilon = 1e-4;

    /// <summary><see cref="NumericKind"/> or <see cref="CategoricalKind"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>Interior bin edges of a numeric feature, ascending (nine of them); null for a categorical one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<double>? Edges { get; init; }

    /// <summary>Allowed categories of a categorical feature, in schema order; null for a numeric one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Share of the training rows in each bin; one entry per bin.</summary>
    public required IReadOnlyList<double> Proportions { get; init; }

    /// <summary>The bin a numeric value falls in: the number of edges less than or equal to it.</summary>
    public int BinOf(double value)
    {
        var edges = Edges ?? throw new InvalidOperationException($"A {Kind} feature has no numeric bins.");
        var bin = 0;
        while (bin < edges.Count && edges[bin] <= value)
        {
            bin++;
        }

        return bin;
    }

    /// <summary>The bin of a category, or -1 when the category is not one the model was trained with.</summary>
    public int BinOf(string category)
    {
        var categories = Categories ?? throw new InvalidOperationException($"A {Kind} feature has no categories.");
        for (var i = 0; i < categories.Count; i++)
        {
            if (string.Equals(categories[i], category, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Population stability index of the observed bin <paramref name="counts"/> against the training
    /// proportions: the sum over bins of (observed - expected) * ln(observed / expected), with empty bins
    /// counted as <see cref="Epsilon"/>. 0 means the same distribution; 0.1 to 0.25 is a moderate shift,
    /// above 0.25 a large one. Returns 0 when nothing was observed.
    /// </summary>
    public static double Psi(FeatureReference reference, IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count != reference.Proportions.Count)
        {
            throw new ArgumentException(
                $"Expected {reference.Proportions.Count} bin counts, got {counts.Count}.", nameof(counts));
        }

        double total = counts.Sum();
        if (total <= 0)
        {
            return 0;
        }

        var psi = 0.0;
        for (var i = 0; i < counts.Count; i++)
        {
            var observed = Math.Max(counts[i] / total, Epsilon);
            var expected = Math.Max(reference.Proportions[i], Epsilon);
            psi += (observed - expected) * Math.Log(observed / expected);
        }

        return psi;
    }

    /// <summary>The reference of a numeric feature: decile edges of <paramref name="values"/> and the share per bin.</summary>
    public static FeatureReference Numeric(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("A feature reference needs at least one value.", nameof(values));
        }

        var edges = new double[NumericBins - 1];
        for (var k = 1; k < NumericBins; k++)
        {
            // Linear interpolation between the closest ranks, rounded so the manifest stays readable.
            var position = (sorted.Length - 1) * (k / (double)NumericBins);
            var lower = (int)Math.Floor(position);
            var upper = Math.Min(lower + 1, sorted.Length - 1);
            edges[k - 1] = Math.Round(sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower])), 6);
        }

        var reference = new FeatureReference { Kind = NumericKind, Edges = edges, Proportions = [] };
        var counts = new long[NumericBins];
        foreach (var value in sorted)
        {
            counts[reference.BinOf(value)]++;
        }

        return reference with { Proportions = Shares(counts) };
    }

    /// <summary>The reference of a categorical feature: the share of each allowed category.</summary>
    public static FeatureReference Categorical(IReadOnlyList<string> categories, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(values);
        var reference = new FeatureReference { Kind = CategoricalKind, Categories = [.. categories], Proportions = [] };
        var counts = new long[categories.Count];
        foreach (var value in values)
        {
            var bin = reference.BinOf(value);
            if (bin < 0)
            {
                throw new ArgumentException($"'{value}' is not one of {string.Join(", ", categories)}.", nameof(values));
            }

            counts[bin]++;
        }

        if (counts.Sum() == 0)
        {
            throw new ArgumentException("A feature reference needs at least one value.", nameof(values));
        }

        return reference with { Proportions = Shares(counts) };
    }

    /// <summary>The reference of every feature of <paramref name="definition"/>, keyed by feature name.</summary>
    public static IReadOnlyDictionary<string, FeatureReference> FromRows(ModelDefinition definition, IReadOnlyCollection<FeatureRow> rows)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(rows);
        var references = new SortedDictionary<string, FeatureReference>(StringComparer.Ordinal);
        foreach (var column in definition.Features)
        {
            references[column.Name] = column switch
            {
                NumericFeature => Numeric(rows.Select(r => definition.Numeric(r, column.Name))),
                CategoricalFeature categorical => Categorical(categorical.Allowed, rows.Select(r => definition.Categorical(r, column.Name))),
                _ => throw new InvalidOperationException($"Feature '{column.Name}' has an unknown kind."),
            };
        }

        return references;
    }

    private static double[] Shares(long[] counts)
    {
        double total = counts.Sum();
        return [.. counts.Select(c => c / total)];
    }
}
