namespace Ml_Service.Model;

/// <summary>A problem with one field of one input record.</summary>
public sealed record FeatureError(string Field, string Message);

/// <summary>
/// The input contract of the model: every feature with its type, range or allowed values.
/// Training data and prediction requests are validated against this one definition.
/// </summary>
public static class FeatureSchema
{
    public const string TenureMonths = "tenure_months";
    public const string MonthlyCharges = "monthly_charges";
    public const string SupportCalls = "support_calls";
    public const string Contract = "contract";
    public const string PaymentMethod = "payment_method";

    public static IReadOnlyList<FeatureColumn> Columns { get; } =
    [
        new NumericFeature(TenureMonths, Min: 0, Max: 600, WholeNumber: true, (f, v) => f.TenureMonths = v),
        new NumericFeature(MonthlyCharges, Min: 0, Max: 10_000, WholeNumber: false, (f, v) => f.MonthlyCharges = v),
        new NumericFeature(SupportCalls, Min: 0, Max: 1_000, WholeNumber: true, (f, v) => f.SupportCalls = v),
        new CategoricalFeature(Contract, ["month-to-month", "one-year", "two-year"], (f, v) => f.Contract = v),
        new CategoricalFeature(PaymentMethod, ["electronic-check", "credit-card", "bank-transfer"], (f, v) => f.PaymentMethod = v),
    ];

    /// <summary>A typical customer, used as the canary prediction before the service reports ready.</summary>
    public static ChurnFeatures Canary => new()
    {
        TenureMonths = 12,
        MonthlyCharges = 70,
        SupportCalls = 1,
        Contract = "month-to-month",
        PaymentMethod = "credit-card",
    };

    /// <summary>
    /// Checks one record against the schema. Returns the features when the record is valid; otherwise
    /// null and one error per bad field (missing, wrong type, out of range, unknown category or field).
    /// </summary>
    public static ChurnFeatures? Validate(IReadOnlyDictionary<string, RawValue> record, ICollection<FeatureError> errors) =>
        Validate<ChurnFeatures>(record, errors);

    /// <inheritdoc cref="Validate(IReadOnlyDictionary{string, RawValue}, ICollection{FeatureError})"/>
    public static T? Validate<T>(IReadOnlyDictionary<string, RawValue> record, ICollection<FeatureError> errors)
        where T : ChurnFeatures, new()
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(errors);

        var before = errors.Count;
        var features = new T();
        foreach (var column in Columns)
        {
            var value = record.TryGetValue(column.Name, out var raw) ? raw : RawValue.Missing;
            var error = value.Kind == RawKind.Missing ? "is required" : column.Apply(value, features);
            if (error is not null)
            {
                errors.Add(new FeatureError(column.Name, error));
            }
        }

        foreach (var name in record.Keys.Where(name => !Columns.Any(c => c.Name == name)))
        {
            errors.Add(new FeatureError(name, "is not a feature of this model"));
        }

        return errors.Count == before ? features : null;
    }
}

/// <summary>One feature of the schema: validates a raw value and stores it on the features.</summary>
public abstract record FeatureColumn(string Name)
{
    /// <summary>Stores the value on <paramref name="features"/>, or returns why it is not valid.</summary>
    public abstract string? Apply(RawValue value, ChurnFeatures features);
}

public sealed record NumericFeature(string Name, double Min, double Max, bool WholeNumber, Action<ChurnFeatures, float> Set)
    : FeatureColumn(Name)
{
    public override string? Apply(RawValue value, ChurnFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (value.Kind != RawKind.Number)
        {
            return $"must be a number, got {Describe(value)}";
        }

        var number = value.Number;
        if (!double.IsFinite(number))
        {
            return "must be a finite number";
        }

        if (number < Min || number > Max)
        {
            return $"must be between {Min} and {Max}, got {number}";
        }

        if (WholeNumber && number != Math.Floor(number))
        {
            return $"must be a whole number, got {number}";
        }

        Set(features, (float)number);
        return null;
    }

    private static string Describe(RawValue value) =>
        value.Kind == RawKind.Text ? $"text '{value.Text}'" : value.Text ?? value.Kind.ToString();
}

public sealed record CategoricalFeature(string Name, IReadOnlyList<string> Allowed, Action<ChurnFeatures, string> Set)
    : FeatureColumn(Name)
{
    public override string? Apply(RawValue value, ChurnFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (value.Kind != RawKind.Text || !Allowed.Contains(value.Text, StringComparer.Ordinal))
        {
            return $"must be one of {string.Join(", ", Allowed)}, got '{value.Text ?? value.Kind.ToString()}'";
        }

        Set(features, value.Text!);
        return null;
    }
}
