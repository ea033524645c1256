namespace MlOps.Platform.Serving.Endpoints;

/// <summary>KServe V1 predict response of a binary model: one prediction per instance, in request order.</summary>
public sealed record BinaryPredictResponse(IReadOnlyList<BinaryInstancePrediction> Predictions);

/// <param name="Label">The predicted outcome.</param>
/// <param name="Probability">Calibrated probability of <c>true</c>, in [0, 1].</param>
/// <param name="Score">Raw model score.</param>
public sealed record BinaryInstancePrediction(bool Label, double Probability, double Score);

/// <summary>KServe V1 predict response of a multiclass model: one prediction per instance, in request order.</summary>
public sealed record MulticlassPredictResponse(IReadOnlyList<MulticlassInstancePrediction> Predictions);

/// <param name="Label">The most likely class.</param>
/// <param name="Probabilities">Probability of each class, by class name; they add up to 1.</param>
public sealed record MulticlassInstancePrediction(string Label, IReadOnlyDictionary<string, double> Probabilities);

/// <summary>KServe V1 predict response of a regression model: one prediction per instance, in request order.</summary>
public sealed record RegressionPredictResponse(IReadOnlyList<RegressionInstancePrediction> Predictions);

/// <param name="Value">The predicted number.</param>
public sealed record RegressionInstancePrediction(double Value);

/// <summary>KServe V1 model metadata, with the task, inputs, version served and evaluation metrics.</summary>
/// <param name="Name">The model's name in the routes.</param>
/// <param name="Task">binary, multiclass or regression.</param>
/// <param name="Ready">Always true in a 200: a model that cannot predict answers 503.</param>
/// <param name="Description">What the model predicts, for whom.</param>
/// <param name="Version">Version of the served model, from its manifest ("unversioned" without one).</param>
/// <param name="Trainer">Trainer that produced the model (the model's params file); null without a manifest.</param>
/// <param name="CreatedAt">When the model was trained; null without a manifest.</param>
/// <param name="Metrics">Evaluation metrics of the model, by name; null without a manifest.</param>
/// <param name="Features">The inputs of one instance, in order.</param>
/// <param name="Classes">The classes a multiclass model predicts, in order; null for the other tasks.</param>
public sealed record ModelMetadata(
    string Name,
    ModelTask Task,
    bool Ready,
    string Description,
    string Version,
    string? Trainer,
    DateTimeOffset? CreatedAt,
    IReadOnlyDictionary<string, double>? Metrics,
    IReadOnlyList<FeatureMetadata> Features,
    IReadOnlyList<string>? Classes);

/// <summary>One input of a model.</summary>
/// <param name="Name">The field name in an instance.</param>
/// <param name="Kind">numeric or categorical.</param>
/// <param name="Description">What the feature means.</param>
/// <param name="Minimum">Smallest valid value of a numeric feature.</param>
/// <param name="Maximum">Largest valid value of a numeric feature.</param>
/// <param name="WholeNumber">Whether a numeric feature takes whole numbers only.</param>
/// <param name="Categories">The valid values of a categorical feature.</param>
public sealed record FeatureMetadata(
    string Name,
    string Kind,
    string Description,
    double? Minimum,
    double? Maximum,
    bool? WholeNumber,
    IReadOnlyList<string>? Categories)
{
    /// <summary>The metadata of <paramref name="feature"/>: its range for a numeric feature, its categories for a categorical one.</summary>
    public static FeatureMetadata Of(FeatureColumn feature) => feature switch
    {
        NumericFeature n => new(n.Name, FeatureReference.NumericKind, n.Description, n.Min, n.Max, n.WholeNumber, null),
        CategoricalFeature c => new(c.Name, FeatureReference.CategoricalKind, c.Description, null, null, null, c.Allowed),
        _ => throw new NotSupportedException($"Feature '{feature?.Name}' has an unknown kind."),
    };
}

/// <summary>KServe V1 list of served models, with each model's state.</summary>
/// <param name="Models">Names of the models this service serves.</param>
/// <param name="Details">Each model's task and state, in the order of <paramref name="Models"/>.</param>
public sealed record ModelList(IReadOnlyList<string> Models, IReadOnlyList<ModelState> Details);

/// <summary>The state of one served model.</summary>
/// <param name="Name">The model's name in the routes.</param>
/// <param name="Task">binary, multiclass or regression.</param>
/// <param name="Ready">Whether it answers predictions now.</param>
/// <param name="Version">The version serving; null while none is loaded.</param>
/// <param name="Reason">Why it is not ready; null when ready.</param>
public sealed record ModelState(string Name, ModelTask Task, bool Ready, string? Version, string? Reason);
