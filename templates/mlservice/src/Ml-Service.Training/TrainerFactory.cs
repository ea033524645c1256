using Microsoft.ML;
//#if (Sdca)
using Microsoft.ML.Trainers;
//#endif
//#if (FastTree)
using Microsoft.ML.Trainers.FastTree;
//#endif
//#if (LightGbm)
using Microsoft.ML.Trainers.LightGbm;
//#endif

namespace Ml_Service.Training;

/// <summary>Creates the ML.NET trainer named by the <c>trainer</c> parameter, single-threaded for reproducibility.</summary>
public static class TrainerFactory
{
    public static IReadOnlyList<string> Available { get; } =
    [
#if (Sdca)
        "sdca",
#endif
#if (FastTree)
        "fasttree",
#endif
#if (LightGbm)
        "lightgbm",
#endif
    ];

    public static IEstimator<ITransformer> Create(MLContext ml, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(parameters);
        var trainers = ml.BinaryClassification.Trainers;
        return parameters.Trainer switch
        {
#if (Sdca)
            "sdca" => trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = FeaturePipeline.LabelColumn,
                FeatureColumnName = FeaturePipeline.FeaturesColumn,
                MaximumNumberOfIterations = parameters.GetInt("sdca.max_iterations"),
                L2Regularization = (float)parameters.GetDouble("sdca.l2_regularization"),
                NumberOfThreads = 1,
            }),
#endif
#if (FastTree)
            "fasttree" => trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = FeaturePipeline.LabelColumn,
                FeatureColumnName = FeaturePipeline.FeaturesColumn,
                NumberOfTrees = parameters.GetInt("fasttree.trees"),
                NumberOfLeaves = parameters.GetInt("fasttree.leaves"),
                MinimumExampleCountPerLeaf = parameters.GetInt("fasttree.min_examples_per_leaf"),
                LearningRate = parameters.GetDouble("fasttree.learning_rate"),
                NumberOfThreads = 1,
            }),
#endif
#if (LightGbm)
            "lightgbm" => trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = FeaturePipeline.LabelColumn,
                FeatureColumnName = FeaturePipeline.FeaturesColumn,
                NumberOfIterations = parameters.GetInt("lightgbm.iterations"),
                NumberOfLeaves = parameters.GetInt("lightgbm.leaves"),
                MinimumExampleCountPerLeaf = parameters.GetInt("lightgbm.min_examples_per_leaf"),
                LearningRate = parameters.GetDouble("lightgbm.learning_rate"),
                Seed = parameters.Seed,
                NumberOfThreads = 1,
                Verbose = false,
                Silent = true,
            }),
#endif
            _ => throw new TrainingException(
                $"Trainer '{parameters.Trainer}' is not part of this repository; available: {string.Join(", ", Available)}."),
        };
    }
}
