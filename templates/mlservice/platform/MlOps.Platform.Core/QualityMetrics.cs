namespace MlOps.Platform;

/// <summary>
/// The quality metrics of the tasks in plain arithmetic, without ML.NET: for predictions judged outside training,
/// such as the live quality of served predictions against the truth reported later. Each gives what training's
/// evaluators give on the same predictions (AUC on the raw score with ties counted half, macro-F1 over every class of
/// the label, R² and RMSE of float labels and values), so a live figure and a training figure can be compared.
/// </summary>
public static class QualityMetrics
{
    /// <summary>
    /// The task's headline metrics of <paramref name="outcomes"/> against <paramref name="truths"/> (same order; only the
    /// label member of the task is read: <see cref="LabeledRow.Flag"/>, <see cref="LabeledRow.Class"/> or
    /// <see cref="LabeledRow.Value"/>): the primary metric (<see cref="TaskKind.PrimaryMetric"/>) and the secondary one
    /// (<see cref="TaskKind.SecondaryMetric"/>). A metric these rows cannot define is left out: the AUC when every truth is
    /// one class, the R² when every truth is the same value.
    /// </summary>
    public static SortedDictionary<string, double> Of(ModelDefinition model, IReadOnlyList<Outcome> outcomes, IReadOnlyList<LabeledRow> truths)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(truths);
        if (outcomes.Count != truths.Count || outcomes.Count == 0)
        {
            throw new ArgumentException($"Cannot judge {outcomes.Count} predictions against {truths.Count} truths.", nameof(outcomes));
        }

        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        switch (model.Task)
        {
            case ModelTask.Binary:
                var binary = outcomes.Cast<BinaryOutcome>().ToList();
                var flags = truths.Select(t => t.Flag).ToList();
                Add(metrics, "auc", Auc(flags, [.. binary.Select(o => (double)o.Score)]));
                metrics["accuracy"] = Accuracy(flags, [.. binary.Select(o => o.Label)]);
                break;
            case ModelTask.Multiclass:
                var classes = truths.Select(t => t.Class).ToList();
                var predicted = outcomes.Cast<MulticlassOutcome>().Select(o => o.Label).ToList();
                metrics["macro_f1"] = MacroF1(model.Label.Classes, classes, predicted);
                metrics["accuracy"] = Accuracy(classes, predicted);
                break;
            default:
                var values = truths.Select(t => (double)t.Value).ToList();
                var scores = outcomes.Cast<RegressionOutcome>().Select(o => (double)o.Value).ToList();
                Add(metrics, "r2", RSquared(values, scores));
                metrics["rmse"] = Rmse(values, scores);
                break;
        }

        return metrics;
    }

    /// <summary>
    /// The area under the ROC curve of <paramref name="scores"/> (higher means more likely <c>true</c>) against
    /// <paramref name="truth"/>: the share of (positive, negative) pairs the scores order right, a tie counting half
    /// (the Mann-Whitney statistic with average ranks). NaN when the truth has one class only.
    /// </summary>
    public static double Auc(IReadOnlyList<bool> truth, IReadOnlyList<double> scores)
    {
        CheckPairs(truth, scores);
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var positiveRanks = 0.0;
        var positives = 0L;
        for (var start = 0; start < order.Length;)
        {
            // Rows start..end-1 share one score: each gets the average of their 1-based ranks.
            var end = start + 1;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                end++;
            }

            var rank = (start + 1 + end) / 2.0;
            for (var i = start; i < end; i++)
            {
                if (truth[order[i]])
                {
                    positiveRanks += rank;
                    positives++;
                }
            }

            start = end;
        }

        var negatives = (long)truth.Count - positives;
        return positives == 0 || negatives == 0
            ? double.NaN
            : (positiveRanks - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>The share of <paramref name="predicted"/> equal to <paramref name="truth"/> (a class, or <c>true</c>/<c>false</c>).</summary>
    public static double Accuracy<T>(IReadOnlyList<T> truth, IReadOnlyList<T> predicted)
    {
        CheckPairs(truth, predicted);
        var comparer = EqualityComparer<T>.Default;
        var right = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            right += comparer.Equals(truth[i], predicted[i]) ? 1 : 0;
        }

        return right / (double)truth.Count;
    }

    /// <summary>
    /// The mean over every one of <paramref name="classes"/> of its F1 (2·TP / (predicted + actual)), as training
    /// measures it: a class neither predicted nor present counts 0.
    /// </summary>
    public static double MacroF1(IReadOnlyList<string> classes, IReadOnlyList<string> truth, IReadOnlyList<string> predicted)
    {
        ArgumentNullException.ThrowIfNull(classes);
        CheckPairs(truth, predicted);
        if (classes.Count == 0)
        {
            throw new ArgumentException("A multiclass label has classes.", nameof(classes));
        }

        var sum = 0.0;
        foreach (var name in classes)
        {
            int truePositives = 0, predictedCount = 0, actualCount = 0;
            for (var i = 0; i < truth.Count; i++)
            {
                var isActual = string.Equals(truth[i], name, StringComparison.Ordinal);
                var isPredicted = string.Equals(predicted[i], name, StringComparison.Ordinal);
                actualCount += isActual ? 1 : 0;
                predictedCount += isPredicted ? 1 : 0;
                truePositives += isActual && isPredicted ? 1 : 0;
            }

            sum += predictedCount + actualCount == 0 ? 0 : 2.0 * truePositives / (predictedCount + actualCount);
        }

        return sum / classes.Count;
    }

    /// <summary>
    /// The coefficient of determination: 1 − (sum of squared errors) / (sum of squared deviations of the truth from its
    /// mean). NaN when every truth is the same value.
    /// </summary>
    public static double RSquared(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        CheckPairs(truth, predicted);
        var mean = truth.Average();
        double errors = 0, deviations = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            errors += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
            deviations += (truth[i] - mean) * (truth[i] - mean);
        }

        return deviations == 0 ? double.NaN : 1 - (errors / deviations);
    }

    /// <summary>The root of the mean squared error.</summary>
    public static double Rmse(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        CheckPairs(truth, predicted);
        var errors = 0.0;
        for (var i = 0; i < truth.Count; i++)
        {
            errors += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
        }

        return Math.Sqrt(errors / truth.Count);
    }

    private static void Add(SortedDictionary<string, double> metrics, string name, double value)
    {
        if (!double.IsNaN(value))
        {
            metrics[name] = value;
        }
    }

    private static void CheckPairs<TTruth, TPredicted>(IReadOnlyList<TTruth> truth, IReadOnlyList<TPredicted> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count || truth.Count == 0)
        {
            throw new ArgumentException($"Cannot judge {predicted.Count} predictions against {truth.Count} truths.", nameof(predicted));
        }
    }
}
