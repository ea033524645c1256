using System.Globalization;

namespace MlOps.Platform;

/// <summary>The input features of one record, by name, as a <see cref="DerivedFeature"/> reads them.</summary>
public interface IFeatureValues
{
    /// <summary>The value of the numeric input feature <paramref name="feature"/>.</summary>
    double Number(string feature);

    /// <summary>The value of the categorical input feature <paramref name="feature"/>.</summary>
    string Category(string feature);
}

/// <summary>
/// A feature computed from a record's input features, not sent by callers: a ratio, a product, a logarithm, a
/// bucket, or a small function of its own. <see cref="ModelDefinition.Validate"/> computes it after checking the
/// inputs, for training rows and prediction requests alike, so training and serving cannot compute it differently.
/// It is absent from the request schema and listed in the model card.
/// </summary>
/// <param name="Name">The feature's name, unique among the model's features.</param>
/// <param name="Inputs">The input features it reads.</param>
/// <param name="Formula">How it is computed, for the model card (<c>income / household_size</c>).</param>
/// <param name="Compute">The computation; a value that is not a finite number makes the record invalid.</param>
public sealed record DerivedFeature(string Name, IReadOnlyList<string> Inputs, string Formula, Func<IFeatureValues, double> Compute)
{
    /// <summary>What the feature means, for the model card.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary><paramref name="numerator"/> / <paramref name="denominator"/>; 0 where the denominator is 0.</summary>
    public static DerivedFeature Ratio(string name, string numerator, string denominator) =>
        new(name, [numerator, denominator], $"{numerator} / {denominator} (0 where {denominator} is 0)", values =>
        {
            var below = values.Number(denominator);
            return below == 0 ? 0 : values.Number(numerator) / below;
        });

    /// <summary><paramref name="first"/> × <paramref name="second"/>.</summary>
    public static DerivedFeature Product(string name, string first, string second) =>
        new(name, [first, second], $"{first} * {second}", values => values.Number(first) * values.Number(second));

    /// <summary>ln(1 + <paramref name="feature"/>): compresses a long tail; defined for values above -1.</summary>
    public static DerivedFeature Log(string name, string feature) =>
        new(name, [feature], $"ln(1 + {feature})", values => Math.Log(1 + values.Number(feature)));

    /// <summary>
    /// The index of the bucket <paramref name="feature"/> falls in: 0 below the first edge, <c>i</c> from edge
    /// <c>i-1</c> (inclusive) to edge <c>i</c> (exclusive), the number of edges at or above the last.
    /// </summary>
    public static DerivedFeature Bucket(string name, string feature, params double[] edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (edges.Length == 0 || edges.Zip(edges.Skip(1)).Any(pair => !(pair.First < pair.Second)))
        {
            throw new ArgumentException("Bucket edges must be at least one number, in increasing order.", nameof(edges));
        }

        var sorted = edges.ToArray();
        return new(
            name,
            [feature],
            $"bucket of {feature} at {string.Join(", ", sorted.Select(e => e.ToString(CultureInfo.InvariantCulture)))}",
            values => sorted.Count(edge => values.Number(feature) >= edge));
    }
}
