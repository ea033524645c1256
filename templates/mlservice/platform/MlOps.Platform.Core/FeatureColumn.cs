using System.Globalization;

namespace MlOps.Platform;

/// <summary>A problem with one field of one input record.</summary>
public sealed record FeatureError(string Field, string Message);

/// <summary>One feature of a model: its name, what it means, and how a raw value is checked.</summary>
public abstract record FeatureColumn(string Name)
{
    /// <summary>What the feature means, for the API's schema and the model card.</summary>
    public string Description { get; init; } = string.Empty;
}

/// <summary>A number within <see cref="Min"/>..<see cref="Max"/>, optionally whole.</summary>
public sealed record NumericFeature(string Name, double Min, double Max, bool WholeNumber)
    : FeatureColumn(Name)
{
    /// <summary>The value as the model reads it, or why it is not valid.</summary>
    public string? Read(RawValue value, out float number)
    {
        number = 0;
        if (value.Kind != RawKind.Number)
        {
            return $"must be a number, got {Describe(value)}";
        }

        var raw = value.Number;
        if (!double.IsFinite(raw))
        {
            return "must be a finite number";
        }

        if (raw < Min || raw > Max)
        {
            return string.Create(CultureInfo.InvariantCulture, $"must be between {Min} and {Max}, got {raw}");
        }

        if (WholeNumber && raw != Math.Floor(raw))
        {
            return string.Create(CultureInfo.InvariantCulture, $"must be a whole number, got {raw}");
        }

        number = (float)raw;
        return null;
    }

    private static string Describe(RawValue value) =>
        value.Kind == RawKind.Text ? $"text '{value.Text}'" : value.Text ?? value.Kind.ToString();
}

/// <summary>One of a fixed list of categories (<see cref="Allowed"/>, in a fixed order).</summary>
public sealed record CategoricalFeature(string Name, IReadOnlyList<string> Allowed)
    : FeatureColumn(Name)
{
    /// <summary>The category, or why the value is not one.</summary>
    public string? Read(RawValue value, out string category)
    {
        category = string.Empty;
        if (value.Kind != RawKind.Text || !Allowed.Contains(value.Text, StringComparer.Ordinal))
        {
            return $"must be one of {string.Join(", ", Allowed)}, got '{value.Text ?? value.Kind.ToString()}'";
        }

        category = value.Text!;
        return null;
    }
}
