using Microsoft.ML;

namespace Ml_Service.Model;

/// <summary>
/// The feature transformations, defined once. Training appends a trainer to this pipeline and saves
/// the fitted whole, so serving replays exactly the same transformations (no train/serve skew).
/// </summary>
public static class FeaturePipeline
{
    public const string LabelColumn = "Label";
    public const string FeaturesColumn = "Features";

    private const string ContractEncoded = "contract_encoded";
    private const string PaymentMethodEncoded = "payment_method_encoded";

    public static IEstimator<ITransformer> Build(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return ml.Transforms.Categorical
            .OneHotEncoding(
            [
                new InputOutputColumnPair(ContractEncoded, FeatureSchema.Contract),
                new InputOutputColumnPair(PaymentMethodEncoded, FeatureSchema.PaymentMethod),
            ])
            .Append(ml.Transforms.Concatenate(
                FeaturesColumn,
                FeatureSchema.TenureMonths,
                FeatureSchema.MonthlyCharges,
                FeatureSchema.SupportCalls,
                ContractEncoded,
                PaymentMethodEncoded))
            .Append(ml.Transforms.NormalizeMinMax(FeaturesColumn));
    }
}
