namespace Ml_Service.Model.Models;

/// <summary>Which plan suits a customer: a multiclass classifier over profile and usage features.</summary>
public sealed class PlanModel : ModelDefinition
{
    public override string Name => "plan";

    public override ModelTask Task => ModelTask.Multiclass;

    public override string Description => "Predicts which subscription plan (basic, standard or premium) a customer chooses, from age, usage, household and device.";

    public override IReadOnlyList<FeatureColumn> Features { get; } =
    [
        new NumericFeature("age", Min: 0, Max: 120, WholeNumber: true) { Description = "Age of the customer in years." },
        new NumericFeature("monthly_usage_gb", Min: 0, Max: 10_000, WholeNumber: false) { Description = "Data used per month, in gigabytes." },
        new NumericFeature("household_size", Min: 1, Max: 20, WholeNumber: true) { Description = "People in the customer's household." },
        new CategoricalFeature("region", ["north", "south", "east", "west"]) { Description = "Sales region of the customer." },
        new CategoricalFeature("device", ["mobile", "desktop", "tablet"]) { Description = "Device the customer mostly uses." },
    ];

    public override LabelColumn Label { get; } = LabelColumn.Multiclass("plan", ["basic", "standard", "premium"]);

    public override IReadOnlyDictionary<string, RawValue> Canary { get; } = new Dictionary<string, RawValue>(StringComparer.Ordinal)
    {
        ["age"] = RawValue.Of(35),
        ["monthly_usage_gb"] = RawValue.Of(40),
        ["household_size"] = RawValue.Of(2),
        ["region"] = RawValue.Of("north"),
        ["device"] = RawValue.Of("mobile"),
    };
}
