using System.Globalization;

namespace MlOps.Platform;

/// <summary>
/// What a task decides for every model of it: the outcomes it predicts, the metric it is judged by, the baseline
/// it must beat and the rules of its quality gate. One instance per <see cref="ModelTask"/>
/// (<see cref="Of"/>), so code asks the task instead of switching on it.
/// </summary>
public abstract class TaskKind
{
    /// <summary>Yes or no, judged by AUC against always predicting the majority class.</summary>
    public static TaskKind Binary { get; } = new BinaryKind();

    /// <summary>One of several classes, judged by macro-F1 against always predicting the most frequent class.</summary>
    public static TaskKind Multiclass { get; } = new MulticlassKind();

    /// <summary>A number, judged by R² against always predicting the mean of the training labels.</summary>
    public static TaskKind Regression { get; } = new RegressionKind();

    /// <summary>The kind of <paramref name="task"/>.</summary>
    public static TaskKind Of(ModelTask task) => task switch
    {
        ModelTask.Binary => Binary,
        ModelTask.Multiclass => Multiclass,
        ModelTask.Regression => Regression,
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };

    /// <summary>The task this kind is of.</summary>
    public abstract ModelTask Task { get; }

    /// <summary>The metric (higher is better) the gate's minimum and its regression check use: auc, macro_f1 or r2.</summary>
    public abstract string PrimaryMetric { get; }

    /// <summary>The metric listed beside the primary one by <c>make runs</c>: accuracy or rmse.</summary>
    public abstract string SecondaryMetric { get; }

    /// <summary>What the baseline predicts: the majority class, or the mean of the training labels.</summary>
    public abstract string BaselineStrategy { get; }

    /// <summary>The metric the baseline is measured by: baseline_accuracy or baseline_rmse.</summary>
    public abstract string BaselineMetric { get; }

    /// <summary>The <c>quality_gate</c> keys a params file of the task has.</summary>
    public IReadOnlyList<string> GateKeys => [$"quality_gate.min_{PrimaryMetric}", $"quality_gate.{BaselineGainKey}", "quality_gate.max_regression"];

    /// <summary>The gate key of the margin by which a model must beat the baseline.</summary>
    protected abstract string BaselineGainKey { get; }

    /// <summary>How a metric is named in messages: AUC, macro-F1, R², RMSE; other names as they are.</summary>
    public static string DisplayName(string metric) => metric switch
    {
        "auc" => "AUC",
        "macro_f1" => "macro-F1",
        "r2" => "R²",
        "rmse" => "RMSE",
        _ => metric,
    };

    /// <summary>The outcome labels of the model's prediction counters: true and false, its classes, or value.</summary>
    public abstract IReadOnlyList<string> OutcomeLabels(ModelDefinition model);

    /// <summary>
    /// Why <paramref name="metrics"/> fail the task's gate (the primary metric's minimum and the margin over the
    /// baseline, both read through <paramref name="threshold"/> by key); empty when they pass.
    /// </summary>
    public IReadOnlyList<string> CheckGate(IReadOnlyDictionary<string, double> metrics, Func<string, double> threshold)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(threshold);
        var failures = new List<string>();
        var minimum = threshold($"quality_gate.min_{PrimaryMetric}");
        if (!(metrics[PrimaryMetric] >= minimum))
        {
            failures.Add(Format($"{DisplayName(PrimaryMetric)} {metrics[PrimaryMetric]:F4} is below the minimum {minimum:F4}"));
        }

        if (CheckBaseline(metrics, threshold($"quality_gate.{BaselineGainKey}")) is { } failure)
        {
            failures.Add(failure);
        }

        return failures;
    }

    /// <inheritdoc/>
    public override string ToString() => Task.ToText();

    /// <summary>Why the model does not beat the baseline by <paramref name="gain"/>; null when it does.</summary>
    protected abstract string? CheckBaseline(IReadOnlyDictionary<string, double> metrics, double gain);

    /// <summary>Formats numbers invariantly, as every message of the gate does.</summary>
    protected static string Format(FormattableString message) => (message ?? throw new ArgumentNullException(nameof(message))).ToString(CultureInfo.InvariantCulture);

    private abstract class ClassifierKind : TaskKind
    {
        public override string SecondaryMetric => "accuracy";

        public override string BaselineStrategy => "majority class";

        public override string BaselineMetric => "baseline_accuracy";

        protected override string BaselineGainKey => "min_accuracy_gain";

        protected override string? CheckBaseline(IReadOnlyDictionary<string, double> metrics, double gain) =>
            metrics["accuracy"] >= metrics["baseline_accuracy"] + gain
                ? null
                : Format($"accuracy {metrics["accuracy"]:F4} does not beat the majority-class baseline {metrics["baseline_accuracy"]:F4} by the required margin");
    }

    private sealed class BinaryKind : ClassifierKind
    {
        private static readonly string[] s_outcomes = ["true", "false"];

        public override ModelTask Task => ModelTask.Binary;

        public override string PrimaryMetric => "auc";

        public override IReadOnlyList<string> OutcomeLabels(ModelDefinition model) => s_outcomes;
    }

    private sealed class MulticlassKind : ClassifierKind
    {
        public override ModelTask Task => ModelTask.Multiclass;

        public override string PrimaryMetric => "macro_f1";

        public override IReadOnlyList<string> OutcomeLabels(ModelDefinition model) => (model ?? throw new ArgumentNullException(nameof(model))).Label.Classes;
    }

    private sealed class RegressionKind : TaskKind
    {
        private static readonly string[] s_outcomes = ["value"];

        public override ModelTask Task => ModelTask.Regression;

        public override string PrimaryMetric => "r2";

        public override string SecondaryMetric => "rmse";

        public override string BaselineStrategy => "training mean";

        public override string BaselineMetric => "baseline_rmse";

        protected override string BaselineGainKey => "min_rmse_gain";

        public override IReadOnlyList<string> OutcomeLabels(ModelDefinition model) => s_outcomes;

        protected override string? CheckBaseline(IReadOnlyDictionary<string, double> metrics, double gain)
        {
            var allowed = metrics["baseline_rmse"] * (1 - gain);
            return metrics["rmse"] <= allowed
                ? null
                : Format($"RMSE {metrics["rmse"]:F4} is not below the training-mean baseline {metrics["baseline_rmse"]:F4} by the required margin (at most {allowed:F4})");
        }
    }
}
