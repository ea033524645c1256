namespace Ml_Service.Model.Models;

/// <summary>Whether a subscriber cancels: a binary classifier over account and billing features.</summary>
public sealed class ChurnModel : ModelDefinition
{
    public override string Name => "churn";

    public override ModelTask Task => ModelTask.Binary;

    public override string Description => "Predicts whether a subscriber will cancel their contract, from tenure, billing and support history.";

    public override IReadOnlyList<FeatureColumn> Features { get; } =
    [
        new NumericFeature("tenure_months", Min: 0, Max: 600, WholeNumber: true) { Description = "Months since the customer signed up." },
        new NumericFeature("monthly_charges", Min: 0, Max: 10_000, WholeNumber: false) { Description = "Current monthly bill." },
        new NumericFeature("support_calls", Min: 0, Max: 1_000, WholeNumber: true) { Description = "Support calls in the last quarter." },
        new CategoricalFeature("contract", ["month-to-month", "one-year", "two-year"]) { Description = "Contract type." },
        new CategoricalFeature("payment_method", ["electronic-check", "credit-card", "bank-transfer"]) { Description = "How the customer pays." },
    ];

    public override LabelColumn Label { get; } = LabelColumn.Binary("churned");

    public override IReadOnlyDictionary<string, RawValue> Canary { get; } = new Dictionary<string, RawValue>(StringComparer.Ordinal)
    {
        ["tenure_months"] = RawValue.Of(12),
        ["monthly_charges"] = RawValue.Of(70),
        ["support_calls"] = RawValue.Of(1),
        ["contract"] = RawValue.Of("month-to-month"),
        ["payment_method"] = RawValue.Of("credit-card"),
    };
}
