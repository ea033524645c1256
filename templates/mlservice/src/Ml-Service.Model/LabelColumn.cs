namespace Ml_Service.Model;

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

    public static LabelColumn Binary(string name) => new(name, [], null, null);

    public static LabelColumn Multiclass(string name, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        return new(name, [.. classes], null, null);
    }

    public static LabelColumn Regression(string name, double? min = null, double? max = null) => new(name, [], min, max);
}
