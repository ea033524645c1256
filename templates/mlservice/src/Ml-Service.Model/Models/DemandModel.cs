namespace Ml_Service.Model.Models;

/// <summary>How many units a store sells in a day: a regression over price, promotion, calendar and weather.</summary>
public sealed class DemandModel : ModelDefinition
{
    public override string Name => "demand";

    public override ModelTask Task => ModelTask.Regression;

    public override string Description => "Predicts the units of a product a store sells in a day, from price, promotion, weekday, temperature and store size.";

    public override IReadOnlyList<FeatureColumn> Features { get; } =
    [
        new NumericFeature("price", Min: 0, Max: 10_000, WholeNumber: false) { Description = "Shelf price of the product." },
        new CategoricalFeature("promotion", ["none", "discount", "bundle"]) { Description = "Promotion running that day." },
        new CategoricalFeature("day_of_week", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) { Description = "Day of the week." },
        new NumericFeature("temperature_c", Min: -50, Max: 60, WholeNumber: false) { Description = "Outside temperature in degrees Celsius." },
        new CategoricalFeature("store_size", ["small", "medium", "large"]) { Description = "Size of the store." },
    ];

    public override LabelColumn Label { get; } = LabelColumn.Regression("units_sold", min: 0);

    public override IReadOnlyDictionary<string, RawValue> Canary { get; } = new Dictionary<string, RawValue>(StringComparer.Ordinal)
    {
        ["price"] = RawValue.Of(10),
        ["promotion"] = RawValue.Of("none"),
        ["day_of_week"] = RawValue.Of("sat"),
        ["temperature_c"] = RawValue.Of(18),
        ["store_size"] = RawValue.Of("medium"),
    };
}
