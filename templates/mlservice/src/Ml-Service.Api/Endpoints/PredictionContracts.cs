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
public sealed record ModelMetadata(
    string Name,
    bool Ready,
    string Version,
    string? Trainer,
    DateTimeOffset? CreatedAt,
    IReadOnlyDictionary<string, double>? Metrics);

/// <summary>KServe V1 list of served models.</summary>
public sealed record ModelList(IReadOnlyList<string> Models);
