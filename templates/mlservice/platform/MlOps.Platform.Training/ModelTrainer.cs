using Microsoft.ML;

namespace MlOps.Platform.Training;

/// <summary>The outcome of one training run, before anything is written to disk.</summary>
public sealed record TrainingResult(
    ITransformer Model,
    IDataView TestSet,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, FeatureReference> FeatureReference);

/// <summary>
/// Fits a model's feature pipeline and trainer on a seeded split of its data and evaluates it on the
/// held-out rows with the metrics of its task.
/// </summary>
public static class ModelTrainer
{
    /// <summary>Splits <paramref name="rows"/> as <see cref="Split"/> does, fits the model's pipeline and trainer on the training part, evaluates it on the held-out part and records the feature distributions of the training part.</summary>
    public static TrainingResult Train(ModelDefinition model, IReadOnlyList<LabeledRow> rows, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        var ml = new MLContext(parameters.Seed);
        var split = Split(ml, model, rows, parameters);
        var fitted = model.Fit(ml, split.TrainSet, TrainerFactory.Create(ml, model.Task, parameters));
        var trainingRows = model.FromDataView(ml, split.TrainSet);
        return new TrainingResult(
            fitted,
            split.TestSet,
            Evaluate(ml, model, fitted, split.TestSet, trainingRows),
            MlOps.Platform.FeatureReference.FromRows(model, [.. trainingRows]));
    }

    /// <summary>
    /// The same seeded split that training uses, so <c>evaluate</c> scores a saved model on exactly the rows
    /// it never saw.
    /// </summary>
    public static DataOperationsCatalog.TrainTestData Split(MLContext ml, ModelDefinition model, IReadOnlyList<LabeledRow> rows, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.TestFraction is <= 0 or >= 1)
        {
            throw new TrainingException($"Parameter 'test_fraction' must be between 0 and 1, got {parameters.TestFraction}.");
        }

        return ml.Data.TrainTestSplit(model.ToDataView(ml, rows), parameters.TestFraction, seed: parameters.Seed);
    }

    /// <summary>
    /// Quality metrics of <paramref name="transformer"/> on <paramref name="testSet"/> for the model's task,
    /// with the baseline: the majority class of the held-out rows, or the mean label of
    /// <paramref name="trainingRows"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(
        MLContext ml,
        ModelDefinition model,
        ITransformer transformer,
        IDataView testSet,
        IReadOnlyList<LabeledRow> trainingRows)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(trainingRows);
        var scored = transformer.Transform(testSet);
        switch (model.Task)
        {
            case ModelTask.Binary:
                return TaskMetrics.Binary(ml, scored);
            case ModelTask.Multiclass:
                var actual = model.FromDataView(ml, testSet).Select(r => r.Class).ToList();
                var predictions = ml.Data.CreateEnumerable<MulticlassPrediction>(scored, reuseRowObject: false).ToList();
                return TaskMetrics.Multiclass(
                    model.Label.Classes,
                    actual,
                    [.. predictions.Select(p => p.PredictedLabel)],
                    [.. predictions.Select(p => p.Score)]);
            default:
                return TaskMetrics.Regression(ml, scored, trainingRows.Average(r => (double)r.Value));
        }
    }
}
