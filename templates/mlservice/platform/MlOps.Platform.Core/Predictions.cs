using Microsoft.ML.Data;

namespace MlOps.Platform;

/// <summary>What the trained pipeline of a binary model outputs for one <see cref="FeatureRow"/>.</summary>
public sealed class BinaryPrediction
{
    /// <summary>The predicted outcome: true for the positive one.</summary>
    [ColumnName("PredictedLabel")]
    public bool PredictedLabel { get; set; }

    /// <summary>Calibrated probability of the positive outcome, in [0, 1].</summary>
    public float Probability { get; set; }

    /// <summary>Raw, uncalibrated model score.</summary>
    public float Score { get; set; }
}

/// <summary>What the trained pipeline of a multiclass model outputs for one <see cref="FeatureRow"/>.</summary>
public sealed class MulticlassPrediction
{
    /// <summary>The most likely class, one of <see cref="LabelColumn.Classes"/> (the saved pipeline maps the key back to its text).</summary>
    [ColumnName(ModelDefinition.PredictedClassColumn)]
    public string PredictedLabel { get; set; } = string.Empty;

    /// <summary>Probability of each class, in the order of <see cref="LabelColumn.Classes"/>.</summary>
#pragma warning disable CA1819 // ML.NET writes vector columns to arrays.
    public float[] Score { get; set; } = [];
#pragma warning restore CA1819
}

/// <summary>What the trained pipeline of a regression model outputs for one <see cref="FeatureRow"/>.</summary>
public sealed class RegressionPrediction
{
    /// <summary>The predicted value.</summary>
    public float Score { get; set; }
}
