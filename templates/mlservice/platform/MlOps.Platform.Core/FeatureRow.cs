using Microsoft.ML.Data;

namespace MlOps.Platform;

/// <summary>
/// One input record as the model sees it: the numeric features in <see cref="Numbers"/> and the categorical
/// ones in <see cref="Categories"/>, each in the order of <see cref="ModelDefinition.Features"/>. The same
/// type is filled from the training CSV and from prediction requests (always through
/// <see cref="ModelDefinition.Validate"/>), so training and serving cannot disagree about the inputs. The
/// vector sizes are fixed per model by <see cref="ModelDefinition.InputSchema"/>.
/// </summary>
public class FeatureRow
{
    /// <summary>The name of the vector column that holds the numeric features.</summary>
    public const string NumbersColumn = "Numbers";
    /// <summary>The name of the vector column that holds the categorical features.</summary>
    public const string CategoriesColumn = "Categories";

    /// <summary>The column the trainers read: every feature, encoded and normalized.</summary>
    public const string FeaturesColumn = "Features";

    /// <summary>The column the trainers learn from.</summary>
    public const string LabelColumn = "Label";

    /// <summary>
    /// The numeric feature values, in the order of <see cref="ModelDefinition.NumericFeatures"/>, then the values of
    /// <see cref="ModelDefinition.DerivedFeatures"/> in their order.
    /// </summary>
    [ColumnName(NumbersColumn)]
#pragma warning disable CA1819 // ML.NET reads vector columns from arrays.
    public float[] Numbers { get; set; } = [];

    /// <summary>The categorical feature values, in the order of <see cref="ModelDefinition.CategoricalFeatures"/>.</summary>
    [ColumnName(CategoriesColumn)]
    public string[] Categories { get; set; } = [];
#pragma warning restore CA1819
}

/// <summary>
/// A row of training data: the features plus the known outcome. Only the member of the model's task is a
/// column (<see cref="ModelDefinition.TrainingSchema"/> names it <see cref="FeatureRow.LabelColumn"/>).
/// </summary>
public sealed class LabeledRow : FeatureRow
{
    /// <summary>The outcome of a binary model.</summary>
    public bool Flag { get; set; }

    /// <summary>The class of a multiclass model, one of <see cref="LabelColumn.Classes"/>.</summary>
    public string Class { get; set; } = string.Empty;

    /// <summary>The value of a regression model.</summary>
    public float Value { get; set; }
}
