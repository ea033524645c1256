using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace MlOps.Platform.Training;

/// <summary>
/// Creates the ML.NET trainer named by the <c>trainer</c> parameter for a model's task, reading its
/// section of the params file; every trainer is seeded and single-threaded for reproducibility.
/// </summary>
public static class TrainerFactory
{
    private const string LabelColumn = FeatureRow.LabelColumn;
    private const string FeaturesColumn = FeatureRow.FeaturesColumn;

    /// <summary>The trainer names the <c>trainer</c> parameter may take.</summary>
    public static IReadOnlyList<string> Available { get; } =
    [
        "sdca",
        "fasttree",
        "lightgbm",
    ];

    /// <summary>The trainer named by the <c>trainer</c> parameter for <paramref name="task"/>, set up from its section of the params file; a <see cref="TrainingException"/> for an unknown name.</summary>
    public static IEstimator<ITransformer> Create(MLContext ml, ModelTask task, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(parameters);
        return (task, parameters.Trainer) switch
        {
            (ModelTask.Binary, "sdca") => ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                MaximumNumberOfIterations = parameters.GetInt("sdca.max_iterations"),
                L2Regularization = (float)parameters.GetDouble("sdca.l2_regularization"),
                NumberOfThreads = 1,
            }),
            (ModelTask.Multiclass, "sdca") => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                MaximumNumberOfIterations = parameters.GetInt("sdca.max_iterations"),
                L2Regularization = (float)parameters.GetDouble("sdca.l2_regularization"),
                NumberOfThreads = 1,
            }),
            (ModelTask.Regression, "sdca") => ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                MaximumNumberOfIterations = parameters.GetInt("sdca.max_iterations"),
                L2Regularization = (float)parameters.GetDouble("sdca.l2_regularization"),
                NumberOfThreads = 1,
            }),
            (ModelTask.Binary, "fasttree") => ml.BinaryClassification.Trainers.FastTree(FastTreeBinary(parameters)),
            (ModelTask.Multiclass, "fasttree") => ml.MulticlassClassification.Trainers.OneVersusAll(
                ml.BinaryClassification.Trainers.FastTree(FastTreeBinary(parameters)),
                LabelColumn),
            (ModelTask.Regression, "fasttree") => ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                NumberOfTrees = parameters.GetInt("fasttree.trees"),
                NumberOfLeaves = parameters.GetInt("fasttree.leaves"),
                MinimumExampleCountPerLeaf = parameters.GetInt("fasttree.min_examples_per_leaf"),
                LearningRate = parameters.GetDouble("fasttree.learning_rate"),
                NumberOfThreads = 1,
            }),
            (ModelTask.Binary, "lightgbm") => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                NumberOfIterations = parameters.GetInt("lightgbm.iterations"),
                NumberOfLeaves = parameters.GetInt("lightgbm.leaves"),
                MinimumExampleCountPerLeaf = parameters.GetInt("lightgbm.min_examples_per_leaf"),
                LearningRate = parameters.GetDouble("lightgbm.learning_rate"),
                Seed = parameters.Seed,
                NumberOfThreads = 1,
                Verbose = false,
                Silent = true,
            }),
            (ModelTask.Multiclass, "lightgbm") => ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                NumberOfIterations = parameters.GetInt("lightgbm.iterations"),
                NumberOfLeaves = parameters.GetInt("lightgbm.leaves"),
                MinimumExampleCountPerLeaf = parameters.GetInt("lightgbm.min_examples_per_leaf"),
                LearningRate = parameters.GetDouble("lightgbm.learning_rate"),
                Seed = parameters.Seed,
                NumberOfThreads = 1,
                Verbose = false,
                Silent = true,
            }),
            (ModelTask.Regression, "lightgbm") => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
            {
                LabelColumnName = LabelColumn,
                FeatureColumnName = FeaturesColumn,
                NumberOfIterations = parameters.GetInt("lightgbm.iterations"),
                NumberOfLeaves = parameters.GetInt("lightgbm.leaves"),
                MinimumExampleCountPerLeaf = parameters.GetInt("lightgbm.min_examples_per_leaf"),
                LearningRate = parameters.GetDouble("lightgbm.learning_rate"),
                Seed = parameters.Seed,
                NumberOfThreads = 1,
                Verbose = false,
                Silent = true,
            }),
            _ => throw new TrainingException(
                $"Trainer '{parameters.Trainer}' is not part of this repository; available: {string.Join(", ", Available)}."),
        };
    }

    private static FastTreeBinaryTrainer.Options FastTreeBinary(TrainingParams parameters) => new()
    {
        LabelColumnName = LabelColumn,
        FeatureColumnName = FeaturesColumn,
        NumberOfTrees = parameters.GetInt("fasttree.trees"),
        NumberOfLeaves = parameters.GetInt("fasttree.leaves"),
        MinimumExampleCountPerLeaf = parameters.GetInt("fasttree.min_examples_per_leaf"),
        LearningRate = parameters.GetDouble("fasttree.learning_rate"),
        NumberOfThreads = 1,
    };
}
