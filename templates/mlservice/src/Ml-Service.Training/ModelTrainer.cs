using Microsoft.ML;

namespace Ml_Service.Training;

/// <summary>The outcome of one training run, before anything is written to disk.</summary>
public sealed record TrainingResult(
    ITransformer Model,
    IDataView TestSet,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, FeatureReference> FeatureReference);

/// <summary>Fits feature pipeline + trainer on a seeded split and evaluates it on the held-out rows.</summary>
public static class ModelTrainer
{
    public static TrainingResult Train(IReadOnlyList<ChurnExample> rows, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var ml = new MLContext(parameters.Seed);
        var split = Split(ml, rows, parameters);
        var pipeline = FeaturePipeline.Build(ml).Append(TrainerFactory.Create(ml, parameters));
        var model = pipeline.Fit(split.TrainSet);
        var trainingRows = ml.Data.CreateEnumerable<ChurnExample>(split.TrainSet, reuseRowObject: false).ToList();
        return new TrainingResult(
            model,
            split.TestSet,
            Evaluate(ml, model, split.TestSet),
            FeatureReference.FromRows(trainingRows));
    }

    /// <summary>
    /// The same seeded split that training uses, so <c>evaluate</c> scores a saved model on exactly the rows
    /// it never saw.
    /// </summary>
    public static DataOperationsCatalog.TrainTestData Split(MLContext ml, IReadOnlyList<ChurnExample> rows, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.TestFraction is <= 0 or >= 1)
        {
            throw new TrainingException($"Parameter 'test_fraction' must be between 0 and 1, got {parameters.TestFraction}.");
        }

        return ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), parameters.TestFraction, seed: parameters.Seed);
    }

    /// <summary>Quality metrics of <paramref name="model"/> on <paramref name="testSet"/>, with the majority-class baseline.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate(MLContext ml, ITransformer model, IDataView testSet)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(testSet), FeaturePipeline.LabelColumn);
        var testLabels = ml.Data.CreateEnumerable<ChurnExample>(testSet, reuseRowObject: false)
            .Select(r => r.Churned)
            .ToList();
        var positiveRate = testLabels.Count(l => l) / (double)testLabels.Count;

        return new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["auc"] = metrics.AreaUnderRocCurve,
            ["accuracy"] = metrics.Accuracy,
            ["f1"] = metrics.F1Score,
            ["precision"] = metrics.PositivePrecision,
            ["recall"] = metrics.PositiveRecall,
            ["log_loss"] = metrics.LogLoss,
            ["baseline_accuracy"] = Math.Max(positiveRate, 1 - positiveRate),
            ["test_rows"] = testLabels.Count,
        };
    }
}
