using System.Globalization;

namespace MlOps.Platform.Tests.Fixtures;

/// <summary>
/// A model of a public dataset, written as a team writes one for its own data: every column but the last is a
/// feature (the named ones categorical, the others numeric with the data's range widened by a tenth), the last is
/// the label, and the canary is the first row.
/// </summary>
public abstract class FixtureModel : ModelDefinition
{
    private readonly IReadOnlyList<FeatureColumn> _features;
    private readonly IReadOnlyDictionary<string, RawValue> _canary;

    protected FixtureModel(PublicDataset data, ModelTask task, string[]? categorical = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        categorical ??= [];
        Data = data;
        Name = name ?? data.Name.Replace("_", string.Empty, StringComparison.Ordinal);
        Task = task;
        var label = data.Header[^1];
        Label = task switch
        {
            ModelTask.Binary => LabelColumn.Binary(label),
            ModelTask.Multiclass => LabelColumn.Multiclass(label, [.. data.Column(label).Distinct().Order(StringComparer.Ordinal)]),
            _ => LabelColumn.Regression(label),
        };
        _features = [.. data.Header.SkipLast(1).Select(column => categorical.Contains(column)
            ? (FeatureColumn)new CategoricalFeature(column, [.. data.Column(column).Distinct().Order(StringComparer.Ordinal)])
            : Numeric(column, [.. data.Column(column).Select(v => double.Parse(v, CultureInfo.InvariantCulture))]))];
        _canary = _features.ToDictionary(
            f => f.Name,
            f => f is NumericFeature
                ? RawValue.Of(double.Parse(data.Column(f.Name).First(), CultureInfo.InvariantCulture))
                : RawValue.Of(data.Column(f.Name).First()),
            StringComparer.Ordinal);
    }

    /// <summary>The dataset the model learns from.</summary>
    public PublicDataset Data { get; }

    public override string Name { get; }

    public override ModelTask Task { get; }

    public override string Description => $"A model of the public {Data.Name} dataset.";

    public override IReadOnlyList<FeatureColumn> Features => _features;

    public override LabelColumn Label { get; }

    public override IReadOnlyDictionary<string, RawValue> Canary => _canary;

    private static NumericFeature Numeric(string column, double[] values)
    {
        var whole = values.All(v => v == Math.Floor(v));
        var margin = Math.Max((values.Max() - values.Min()) / 10, whole ? 1 : 1e-6);
        var (min, max) = (values.Min() - margin, values.Max() + margin);
        return whole ? new NumericFeature(column, Math.Floor(min), Math.Ceiling(max), WholeNumber: true) : new NumericFeature(column, min, max, WholeNumber: false);
    }
}

/// <summary>Binary, numeric features only (30 of them, many with ranges narrower than 0.1).</summary>
public sealed class CancerModel() : FixtureModel(PublicDataset.Cancer, ModelTask.Binary);

/// <summary>Multiclass, 150 rows sorted by class.</summary>
public sealed class IrisModel() : FixtureModel(PublicDataset.Iris, ModelTask.Multiclass);

/// <summary>Multiclass with integer class codes, 178 rows sorted by class.</summary>
public sealed class WineModel() : FixtureModel(PublicDataset.Wine, ModelTask.Multiclass);

/// <summary>Regression with an integer-coded category (sex 1/2) beside numbers not exact in binary floating point.</summary>
public sealed class DiabetesModel() : FixtureModel(PublicDataset.Diabetes, ModelTask.Regression, ["sex"]);

/// <summary>Binary, integer-coded categorical features only.</summary>
public sealed class AffairsModel() : FixtureModel(PublicDataset.Affairs, ModelTask.Binary, ["rate_marriage", "religious", "occupation", "occupation_husb"]);

/// <summary>Binary on 32 rows, with a 0/1-coded category.</summary>
public sealed class SpectorModel() : FixtureModel(PublicDataset.Spector, ModelTask.Binary, ["psi"]);

/// <summary>
/// The diabetes regression with derived features of every kind: a product, a ratio, a logarithm and a bucket of
/// its inputs, which callers never send.
/// </summary>
public sealed class DerivedDiabetesModel() : FixtureModel(PublicDataset.Diabetes, ModelTask.Regression, ["sex"], "diabetesderived")
{
    public override IReadOnlyList<DerivedFeature> DerivedFeatures { get; } =
    [
        DerivedFeature.Product("bmi_x_bp", "bmi", "bp"),
        DerivedFeature.Ratio("ldl_per_hdl", "ldl", "hdl"),
        DerivedFeature.Log("log_glu", "glu"),
        DerivedFeature.Bucket("age_band", "age", 30, 45, 60),
    ];
}
