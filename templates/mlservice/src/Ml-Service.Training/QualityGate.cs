using System.Globalization;

namespace Ml_Service.Training;

/// <summary>
/// A model is only written when it beats the majority-class baseline and the thresholds in
/// <c>params.yaml</c> (section <c>quality_gate</c>).
/// </summary>
public static class QualityGate
{
    /// <summary>Returns the reasons the model fails the gate; empty when it passes.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyDictionary<string, double> metrics, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        var failures = new List<string>();
        var minAuc = parameters.GetDouble("quality_gate.min_auc");
        if (!(metrics["auc"] >= minAuc))
        {
            failures.Add(Format("AUC {0:F4} is below the minimum {1:F4}", metrics["auc"], minAuc));
        }

        var requiredAccuracy = metrics["baseline_accuracy"] + parameters.GetDouble("quality_gate.min_accuracy_gain");
        if (!(metrics["accuracy"] >= requiredAccuracy))
        {
            failures.Add(Format(
                "accuracy {0:F4} does not beat the majority-class baseline {1:F4} by the required margin",
                metrics["accuracy"],
                metrics["baseline_accuracy"]));
        }

        return failures;
    }

    private static string Format(string format, params object[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);
}
