using System.Globalization;

namespace MlOps.Platform.Training;

/// <summary>
/// A model is only registered when it beats its task's baseline and the thresholds of its params file
/// (section <c>quality_gate</c>), and its primary metric (AUC, macro-F1 or R²) is not worse than the
/// serving model's, nor than the committed champion's measured on the same data, by more than
/// <c>quality_gate.max_regression</c> (unless the run is started with <c>--allow-regression</c>).
/// </summary>
/// <remarks>
/// Thresholds per task: binary <c>min_auc</c> and <c>min_accuracy_gain</c> (accuracy above the
/// majority-class baseline); multiclass <c>min_macro_f1</c> and <c>min_accuracy_gain</c>; regression
/// <c>min_r2</c> and <c>min_rmse_gain</c> (RMSE at most <c>baseline_rmse * (1 - min_rmse_gain)</c>, the
/// baseline predicting the training mean).
/// </remarks>
public static class QualityGate
{
    /// <summary>The command-line option that accepts a model worse than the serving one by more than <c>quality_gate.max_regression</c>.</summary>
    public const string AllowRegressionOption = "--allow-regression";

    /// <summary>The <c>quality_gate</c> keys a params file of <paramref name="task"/> must have.</summary>
    public static IReadOnlyList<string> Keys(ModelTask task) => task.Kind().GateKeys;

    /// <summary>The reasons <paramref name="model"/> fails its task's thresholds and baseline or its own <see cref="ModelDefinition.QualityRules"/>; empty when it passes.</summary>
    public static IReadOnlyList<string> Check(ModelDefinition model, IReadOnlyDictionary<string, double> metrics, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. Check(model.Task, metrics, parameters), .. model.QualityRules(metrics)];
    }

    /// <summary>Returns the reasons the model fails the thresholds and the baseline; empty when it passes.</summary>
    public static IReadOnlyList<string> Check(ModelTask task, IReadOnlyDictionary<string, double> metrics, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return task.Kind().CheckGate(metrics, parameters.GetDouble);
    }

    /// <summary>
    /// Why the model regresses too far against the <paramref name="serving"/> model (its primary metric is
    /// lower by more than <c>quality_gate.max_regression</c>), with how to accept it anyway; null when it
    /// does not, or nothing is served.
    /// </summary>
    public static string? CheckRegression(ModelTask task, IReadOnlyDictionary<string, double> metrics, TrainingParams parameters, ModelManifest? serving) =>
        Accepting(ServingRegression(task, metrics, parameters, serving));

    /// <summary>
    /// The whole gate of <paramref name="model"/>: thresholds, baseline, its own rules, and regression against the
    /// <paramref name="serving"/> model and against the committed <paramref name="champion"/> when it was measured on
    /// the same data (<paramref name="dataSha256"/>).
    /// </summary>
    public static GateOutcome Evaluate(
        ModelDefinition model,
        IReadOnlyDictionary<string, double> metrics,
        TrainingParams parameters,
        ModelManifest? serving,
        bool allowRegression,
        Champion? champion = null,
        string championPath = "",
        string dataSha256 = "")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metrics);
        var task = model.Task;
        var failures = Check(model, metrics, parameters).ToList();
        var regressions = new[]
            {
                ServingRegression(task, metrics, parameters, serving),
                ChampionRegression(task, metrics, parameters, champion, championPath, dataSha256),
            }
            .OfType<string>()
            .ToList();
        if (!allowRegression)
        {
            failures.AddRange(regressions.Select(r => Accepting(r)!));
        }

        var primary = TaskMetrics.PrimaryMetric(task);
        return new GateOutcome
        {
            Outcome = failures.Count == 0 ? GateOutcome.PassedOutcome : GateOutcome.RefusedOutcome,
            Reasons = failures,
            PrimaryMetric = primary,
            ServingVersion = serving?.Version,
            ServingValue = serving is not null && serving.Metrics.TryGetValue(primary, out var value) ? value : null,
            ChampionVersion = champion?.Version,
            ChampionValue = champion is not null && champion.Metrics.TryGetValue(primary, out var best) ? best : null,
            ChampionCompared = champion is not null ? champion.DataSha256 == dataSha256 : null,
            MaxRegression = parameters.GetDouble("quality_gate.max_regression"),
            AllowRegression = allowRegression,
            AcceptedRegression = allowRegression && regressions.Count > 0
                ? $"{string.Join("; ", regressions)}; accepted with {AllowRegressionOption}"
                : null,
        };
    }

    private static string? Accepting(string? regression) =>
        regression is null
            ? null
            : Format("{0}. To register and serve it anyway, train with {1} (make train ARGS={1})", regression, AllowRegressionOption);

    private static string? ServingRegression(ModelTask task, IReadOnlyDictionary<string, double> metrics, TrainingParams parameters, ModelManifest? serving) =>
        serving is null ? null : DescribeRegression(task, metrics, parameters, "the serving model " + serving.Version, serving.Metrics);

    private static string? ChampionRegression(
        ModelTask task, IReadOnlyDictionary<string, double> metrics, TrainingParams parameters, Champion? champion, string championPath, string dataSha256) =>
        champion is null || champion.DataSha256 != dataSha256
            ? null
            : DescribeRegression(task, metrics, parameters, $"the champion {champion.Version} of {championPath}", champion.Metrics);

    private static string? DescribeRegression(
        ModelTask task,
        IReadOnlyDictionary<string, double> metrics,
        TrainingParams parameters,
        string referenceName,
        IReadOnlyDictionary<string, double> referenceMetrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        var maxRegression = parameters.GetDouble("quality_gate.max_regression");
        var primary = TaskMetrics.PrimaryMetric(task);
        if (!referenceMetrics.TryGetValue(primary, out var otherValue))
        {
            return null;
        }

        var value = metrics[primary];
        var name = TaskMetrics.DisplayName(primary);
        return value >= otherValue - maxRegression
            ? null
            : Format(
                "{0} {1:F4} is {2:F4} below {3} ({0} {4:F4}); quality_gate.max_regression allows {5:F4}",
                name,
                value,
                otherValue - value,
                referenceName,
                otherValue,
                maxRegression);
    }

    private static string Format(string format, params object[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);
}
