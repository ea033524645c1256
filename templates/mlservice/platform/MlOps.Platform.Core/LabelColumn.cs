namespace MlOps.Platform;

/// <summary>
/// The column of the training CSV a model learns to predict. A binary label is <c>true</c> or <c>false</c>;
/// a multiclass label is one of <see cref="Classes"/> (their order is the order of the predicted
/// probabilities); a regression label is a number, within <see cref="Min"/>..<see cref="Max"/> when set.
/// </summary>
public sealed record LabelColumn
{
    private LabelColumn(string name, IReadOnlyList<string> classes, double? min, double? max)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Classes = classes;
        Min = min;
        Max = max;
    }

    /// <summary>The column name in the CSV.</summary>
    public string Name { get; }

    /// <summary>The classes of a multiclass model, in a fixed order; empty for the other tasks.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Smallest valid value of a regression label, if any.</summary>
    public double? Min { get; }

    /// <summary>Largest valid value of a regression label, if any.</summary>
    public double? Max { get; }

    /// <summary>The label of a binary model: the column <paramref name="name"/>, <c>true</c> or <c>false</c>.</summary>
    public static LabelColumn Binary(string name) => new(name, [], null, null);

    /// <summary>The label of a multiclass model: the column <paramref name="name"/>, one of <paramref name="classes"/> (copied, order kept).</summary>
    public static LabelColumn Multiclass(string name, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        return new(name, [.. classes], null, null);
    }

    /// <summary>The label of a regression model: the column <paramref name="name"/>, a number within <paramref name="min"/>..<paramref name="max"/> when set.</summary>
    public static LabelColumn Regression(string name, double? min = null, double? max = null) => new(name, [], min, max);
}
