using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlOps.Platform.Training;

/// <summary>
/// The quality metrics of each task, measured on the held-out split with the baseline a model must beat,
/// and the task's primary metric (higher is better): it drives the regression check of the quality gate,
/// the registry listings and run comparisons.
/// </summary>
public static class TaskMetrics
{
    /// <summary>auc (binary), macro_f1 (multiclass) or r2 (regression): <see cref="TaskKind.PrimaryMetric"/>.</summary>
    public static string PrimaryMetric(ModelTask task) => task.Kind().PrimaryMetric;

    /// <summary>How a metric is named in messages: AUC, macro-F1, R², RMSE.</summary>
    public static string DisplayName(string metric) => TaskKind.DisplayName(metric);

    /// <summary>What the task's baseline is: always the majority class, or always the mean of the training labels.</summary>
    public static string BaselineStrategy(ModelTask task) => task.Kind().BaselineStrategy;

    /// <summary>The metric the baseline is measured by: baseline_accuracy or baseline_rmse.</summary>
    public static string BaselineMetric(ModelTask task) => task.Kind().BaselineMetric;

    /// <summary>
    /// Metrics of a binary classifier on <paramref name="scored"/> (the model's output on the held-out
    /// rows, with their boolean <c>Label</c>).
    /// </summary>
    public static SortedDictionary<string, double> Binary(MLContext ml, IDataView scored)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(scored);
        var metrics = ml.BinaryClassification.Evaluate(scored, FeatureRow.LabelColumn);
        var labels = scored.GetColumn<bool>(FeatureRow.LabelColumn).ToList();
        var positiveRate = labels.Count(l => l) / (double)labels.Count;
        return new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["auc"] = metrics.AreaUnderRocCurve,
            ["accuracy"] = metrics.Accuracy,
            ["f1"] = metrics.F1Score,
            ["precision"] = metrics.PositivePrecision,
            ["recall"] = metrics.PositiveRecall,
            ["log_loss"] = metrics.LogLoss,
            ["baseline_accuracy"] = Math.Max(positiveRate, 1 - positiveRate),
            ["test_rows"] = labels.Count,
        };
    }

    /// <summary>
    /// Metrics of a multiclass classifier from the true classes of the held-out rows, the predicted
    /// classes and the per-class scores (probabilities in <paramref name="classes"/> order).
    /// </summary>
    public static SortedDictionary<string, double> Multiclass(
        IReadOnlyList<string> classes,
        IReadOnlyList<string> actual,
        IReadOnlyList<string> predicted,
        IReadOnlyList<float[]> scores)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(scores);
        if (actual.Count == 0 || actual.Count != predicted.Count || actual.Count != scores.Count)
        {
            throw new TrainingException($"Cannot evaluate {predicted.Count} predictions against {actual.Count} held-out rows.");
        }

        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var f1Sum = 0.0;
        foreach (var name in classes)
        {
            var truePositives = actual.Where((a, i) => a == name && predicted[i] == name).Count();
            var predictedCount = predicted.Count(p => p == name);
            var actualCount = actual.Count(a => a == name);
            var f1 = predictedCount + actualCount == 0 ? 0 : 2.0 * truePositives / (predictedCount + actualCount);
            metrics[$"f1_{name}"] = f1;
            f1Sum += f1;
        }

        var logLoss = 0.0;
        for (var i = 0; i < actual.Count; i++)
        {
            var index = IndexOf(classes, actual[i]);
            var probability = index >= 0 && index < scores[i].Length ? scores[i][index] : 0;
            logLoss -= Math.Log(Math.Clamp(probability, 1e-15, 1));
        }

        metrics["macro_f1"] = f1Sum / classes.Count;
        metrics["accuracy"] = actual.Where((a, i) => a == predicted[i]).Count() / (double)actual.Count;
        metrics["log_loss"] = logLoss / actual.Count;
        metrics["baseline_accuracy"] = actual.GroupBy(a => a, StringComparer.Ordinal).Max(g => g.Count()) / (double)actual.Count;
        metrics["test_rows"] = actual.Count;
        return metrics;
    }

    /// <summary>
    /// Metrics of a regression model on <paramref name="scored"/> (output on the held-out rows, with their
    /// <c>Label</c>); the baseline predicts <paramref name="trainingMean"/>, the mean label of the training split.
    /// </summary>
    public static SortedDictionary<string, double> Regression(MLContext ml, IDataView scored, double trainingMean)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(scored);
        var metrics = ml.Regression.Evaluate(scored, FeatureRow.LabelColumn);
        var labels = scored.GetColumn<float>(FeatureRow.LabelColumn).ToList();
        return new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["rmse"] = metrics.RootMeanSquaredError,
            ["mae"] = metrics.MeanAbsoluteError,
            ["r2"] = metrics.RSquared,
            ["baseline_rmse"] = Math.Sqrt(labels.Average(l => (l - trainingMean) * (l - trainingMean))),
            ["test_rows"] = labels.Count,
        };
    }

    /// <summary>
    /// The metrics of the model's task from its predictions of <paramref name="rows"/> (same order) and their labels,
    /// computed by the same evaluators as those of a model trained here; <paramref name="trainingMean"/> is the
    /// regression baseline. A binary outcome without a raw score ranks by its probability (the same AUC).
    /// </summary>
    public static SortedDictionary<string, double> FromOutcomes(
        MLContext ml, ModelDefinition model, IReadOnlyList<Outcome> outcomes, IReadOnlyList<LabeledRow> rows, double trainingMean)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(rows);
        if (outcomes.Count != rows.Count || rows.Count == 0)
        {
            throw new TrainingException($"Cannot evaluate {outcomes.Count} predictions against {rows.Count} rows.");
        }

        switch (model.Task)
        {
            case ModelTask.Binary:
                var binary = outcomes.Cast<BinaryOutcome>().ToList();
                return Binary(ml, ml.Data.LoadFromEnumerable(binary.Select((o, i) => new ScoredBinary
                {
                    Label = rows[i].Flag,
                    Score = o.Score,
                    Probability = o.Probability,
                    PredictedLabel = o.Label,
                })));
            case ModelTask.Multiclass:
                var multiclass = outcomes.Cast<MulticlassOutcome>().ToList();
                return Multiclass(model.Label.Classes, [.. rows.Select(r => r.Class)], [.. multiclass.Select(o => o.Label)], [.. multiclass.Select(o => o.Probabilities)]);
            default:
                return Regression(
                    ml,
                    ml.Data.LoadFromEnumerable(outcomes.Cast<RegressionOutcome>().Select((o, i) => new ScoredValue { Label = rows[i].Value, Score = o.Value })),
                    trainingMean);
        }
    }

    /// <summary>A metric of a manifest or run formatted for a table; "-" when it was not measured.</summary>
    public static string Format(IReadOnlyDictionary<string, double>? metrics, string name) =>
        metrics is not null && metrics.TryGetValue(name, out var value) ? value.ToString("F4", CultureInfo.InvariantCulture) : "-";

    private static int IndexOf(IReadOnlyList<string> classes, string name)
    {
        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private sealed class ScoredBinary
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private sealed class ScoredValue
    {
        public float Label { get; set; }

        public float Score { get; set; }
    }
}
