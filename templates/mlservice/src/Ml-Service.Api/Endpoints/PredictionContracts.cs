namespace Ml_Service.Api.Endpoints;

/// <summary>KServe V1 predict request: one object per customer to score.</summary>
public sealed record PredictRequest(IReadOnlyList<ChurnFeatures> Instances);

/// <summary>KServe V1 predict response: one prediction per instance, in request order.</summary>
public sealed record PredictResponse(IReadOnlyList<Prediction> Predictions);

/// <param name="Label">True when the customer is predicted to churn.</param>
/// <param name="Probability">Calibrated churn probability in [0, 1].</param>
/// <param name="Score">Raw model score.</param>
public sealed record Prediction(bool Label, double Probability, double Score);

/// <summary>KServe V1 model metadata, with the version served and its evaluation metrics.</summary>
/// <param name="Name">The model's name in the routes.</param>
/// <param name="Ready">Always true in a 200: a model that cannot predict answers 503.</param>
/// <param name="Version">Version of the served model, from its manifest ("unversioned" without one).</param>
/// <param name="Trainer">Trainer that produced the model (params.yaml); null without a manifest.</param>
/// <param name="CreatedAt">When the model was trained; null without a manifest.</param>
/// <param name="Metrics">Evaluation metrics of the model, by name (auc...); null without a manifest.</param>
public sealed record ModelMetadata(
    string Name,
    bool Ready,
    string Version,
    string? Trainer,
    DateTimeOffset? CreatedAt,
    IReadOnlyDictionary<string, double>? Metrics);

/// <summary>KServe V1 list of served models.</summary>
/// <param name="Models">Names of the models this service serves.</param>
public sealed record ModelList(IReadOnlyList<string> Models);
