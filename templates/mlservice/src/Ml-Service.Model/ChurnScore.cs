using Microsoft.ML.Data;

namespace Ml_Service.Model;

/// <summary>What the trained pipeline outputs for one <see cref="ChurnFeatures"/> row.</summary>
public sealed class ChurnScore
{
    [ColumnName("PredictedLabel")]
    public bool PredictedLabel { get; set; }

    /// <summary>Calibrated probability that the customer churns, in [0, 1].</summary>
    public float Probability { get; set; }

    /// <summary>Raw, uncalibrated model score.</summary>
    public float Score { get; set; }
}
