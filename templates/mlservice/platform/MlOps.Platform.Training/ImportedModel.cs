using System.Globalization;

namespace MlOps.Platform.Training;

/// <summary>
/// The model definition a <see cref="DataProfile"/> gives: a feature per profiled column (numbers within the widened
/// range, categories with the values seen), the label of the inferred or given task and the first kept row as the
/// canary. <c>make add-model ... DATA=...</c> writes it out as C# (<see cref="ModelImport"/>); tests use it directly.
/// </summary>
public class ImportedModel : ModelDefinition
{
    /// <summary>Defines the model <paramref name="name"/> from <paramref name="profile"/>.</summary>
    public ImportedModel(string name, DataProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Name = name;
        Profile = profile;
        var source = Path.GetFileName(profile.Csv.Source);
        var label = profile.Label;
        Task = label.Task;
        Description = $"Predicts {label.Name} from {profile.Features.Count} features of {source}.";
        Features = [.. profile.Features.Select(f => f.Kind == FeatureKind.Categorical
            ? (FeatureColumn)new CategoricalFeature(f.Name, f.Categories) { Description = $"Column '{f.Column}' of {source}." }
            : new NumericFeature(f.Name, f.Range.Min, f.Range.Max, f.Kind == FeatureKind.WholeNumber) { Description = $"Column '{f.Column}' of {source}." })];
        Label = label.Task switch
        {
            ModelTask.Binary => LabelColumn.Binary(label.Name),
            ModelTask.Multiclass => LabelColumn.Multiclass(label.Name, label.Classes),
            _ => LabelColumn.Regression(label.Name),
        };
        var first = profile.Rows[0];
        Canary = profile.Features.ToDictionary(
            f => f.Name,
            f => Value(f, first.Cells[profile.Csv.IndexOf(f.Column)]),
            StringComparer.Ordinal);
    }

    /// <summary>The profile the model was defined from.</summary>
    public DataProfile Profile { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override ModelTask Task { get; }

    /// <inheritdoc/>
    public override string Description { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<FeatureColumn> Features { get; }

    /// <inheritdoc/>
    public override LabelColumn Label { get; }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, RawValue> Canary { get; }

    /// <summary>A cell of a profiled column as a request would send it: a number, or the category's text.</summary>
    public static RawValue Value(ColumnProfile feature, string cell)
    {
        ArgumentNullException.ThrowIfNull(feature);
        ArgumentNullException.ThrowIfNull(cell);
        return feature.Kind == FeatureKind.Categorical
            ? RawValue.Of(feature.Normalize(cell))
            : RawValue.Of(double.Parse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture));
    }
}
