using System.Text.Json.Serialization;
using Microsoft.ML.Data;

namespace Ml_Service.Model;

/// <summary>
/// One customer as the model sees it. The same type is filled from the training CSV and from
/// prediction requests, so training and serving cannot disagree about the inputs.
/// </summary>
public class ChurnFeatures
{
    /// <summary>Months since the customer signed up.</summary>
    [ColumnName(FeatureSchema.TenureMonths), JsonPropertyName(FeatureSchema.TenureMonths)]
    public float TenureMonths { get; set; }

    /// <summary>Current monthly bill.</summary>
    [ColumnName(FeatureSchema.MonthlyCharges), JsonPropertyName(FeatureSchema.MonthlyCharges)]
    public float MonthlyCharges { get; set; }

    /// <summary>Support calls in the last quarter.</summary>
    [ColumnName(FeatureSchema.SupportCalls), JsonPropertyName(FeatureSchema.SupportCalls)]
    public float SupportCalls { get; set; }

    /// <summary>Contract type: month-to-month, one-year or two-year.</summary>
    [ColumnName(FeatureSchema.Contract), JsonPropertyName(FeatureSchema.Contract)]
    public string Contract { get; set; } = string.Empty;

    /// <summary>Payment method: electronic-check, credit-card or bank-transfer.</summary>
    [ColumnName(FeatureSchema.PaymentMethod), JsonPropertyName(FeatureSchema.PaymentMethod)]
    public string PaymentMethod { get; set; } = string.Empty;
}

/// <summary>A row of the training data: the features plus the known outcome.</summary>
public sealed class ChurnExample : ChurnFeatures
{
    /// <summary>Whether the customer churned; the label the model learns.</summary>
    [ColumnName(FeaturePipeline.LabelColumn)]
    public bool Churned { get; set; }
}
