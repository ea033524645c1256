using System.Globalization;

namespace Ml_Service.Training;

/// <summary>
/// A model is only registered when it beats the majority-class baseline and the thresholds in
/// <c>params.yaml</c> (section <c>quality_gate</c>), and is not worse than the model being served by more
/// than <c>quality_gate.max_regression</c> AUC (unless the run is started with <c>--allow-regression</c>).
/// </summary>
public static class QualityGate
{
    public const string AllowRegressionOption = "--allow-regression";

    /// <summary>Returns the reasons the model fails the thresholds and the baseline; empty when it passes.</summary>
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

    /// <summary>
    /// Why the model regresses too far against the <paramref name="serving"/> model (its AUC is lower by more
    /// than <c>quality_gate.max_regression</c>), with how to accept it anyway; null when it does not, or
    /// nothing is served.
    /// </summary>
    public static string? CheckRegression(IReadOnlyDictionary<string, double> metrics, TrainingParams parameters, ModelManifest? serving)
    {
        var regression = DescribeRegression(metrics, parameters, serving);
        return regression is null
            ? null
            : Format("{0}. To register and serve it anyway, train with {1} (make train ARGS={1})", regression, AllowRegressionOption);
    }

    /// <summary>The whole gate: thresholds, baseline and regression against the <paramref name="serving"/> model.</summary>
    public static GateOutcome Evaluate(
        IReadOnlyDictionary<string, double> metrics,
        TrainingParams parameters,
        ModelManifest? serving,
        bool allowRegression)
    {
        var failures = Check(metrics, parameters).ToList();
        var regression = DescribeRegression(metrics, parameters, serving);
        if (regression is not null && !allowRegression)
        {
            failures.Add(CheckRegression(metrics, parameters, serving)!);
        }

        return new GateOutcome
        {
            Outcome = failures.Count == 0 ? GateOutcome.PassedOutcome : GateOutcome.RefusedOutcome,
            Reasons = failures,
            ServingVersion = serving?.Version,
            ServingAuc = serving is not null && serving.Metrics.TryGetValue("auc", out var auc) ? auc : null,
            MaxRegression = parameters.GetDouble("quality_gate.max_regression"),
            AllowRegression = allowRegression,
            AcceptedRegression = allowRegression && regression is not null ? $"{regression}; accepted with {AllowRegressionOption}" : null,
        };
    }

    private static string? DescribeRegression(IReadOnlyDictionary<string, double> metrics, TrainingParams parameters, ModelManifest? serving)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        var maxRegression = parameters.GetDouble("quality_gate.max_regression");
        if (serving is null || !serving.Metrics.TryGetValue("auc", out var servingAuc))
        {
            return null;
        }

        var auc = metrics["auc"];
        return auc >= servingAuc - maxRegression
            ? null
            : Format(
                "AUC {0:F4} is {1:F4} below the serving model {2} (AUC {3:F4}); quality_gate.max_regression allows {4:F4}",
                auc,
                servingAuc - auc,
                serving.Version,
                servingAuc,
                maxRegression);
    }

    private static string Format(string format, params object[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);
}
