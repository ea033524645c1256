using Microsoft.ML;

namespace Ml_Service.Training;

/// <summary>The outcome of one training run, before anything is written to disk.</summary>
public sealed record TrainingResult(
    ITransformer Model,
    IDataView TestSet,
    IReadOnlyDictionary<string, double> Metrics);

/// <summary>Fits feature pipeline + trainer on a seeded split and evaluates it on the held-out rows.</summary>
public static class ModelTrainer
{
    public static TrainingResult Train(IReadOnlyList<ChurnExample> rows, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.TestFraction is <= 0 or >= 1)
        {
            throw new TrainingException($"Parameter 'test_fraction' must be between 0 and 1, got {parameters.TestFraction}.");
        }

        var ml = new MLContext(parameters.Seed);
        var data = ml.Data.LoadFromEnumerable(rows);
        var split = ml.Data.TrainTestSplit(data, parameters.TestFraction, seed: parameters.Seed);
        var pipeline = FeaturePipeline.Build(ml).Append(TrainerFactory.Create(ml, parameters));
        var model = pipeline.Fit(split.TrainSet);

        var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet), FeaturePipeline.LabelColumn);
        var testLabels = ml.Data.CreateEnumerable<ChurnExample>(split.TestSet, reuseRowObject: false)
            .Select(r => r.Churned)
            .ToList();
        var positiveRate = testLabels.Count(l => l) / (double)testLabels.Count;

        return new TrainingResult(model, split.TestSet, new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["auc"] = metrics.AreaUnderRocCurve,
            ["accuracy"] = metrics.Accuracy,
            ["f1"] = metrics.F1Score,
            ["precision"] = metrics.PositivePrecision,
            ["recall"] = metrics.PositiveRecall,
            ["log_loss"] = metrics.LogLoss,
            ["baseline_accuracy"] = Math.Max(positiveRate, 1 - positiveRate),
            ["test_rows"] = testLabels.Count,
        });
    }
}
