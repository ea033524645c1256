using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml_Service.Tests.Features;

public class FeaturePipelineTests
{
    private static readonly ChurnFeatures[] s_rows =
    [
        new() { TenureMonths = 0, MonthlyCharges = 20, SupportCalls = 0, Contract = "month-to-month", PaymentMethod = "credit-card" },
        new() { TenureMonths = 72, MonthlyCharges = 120, SupportCalls = 10, Contract = "two-year", PaymentMethod = "bank-transfer" },
        new() { TenureMonths = 36, MonthlyCharges = 70, SupportCalls = 5, Contract = "one-year", PaymentMethod = "electronic-check" },
    ];

    [Fact]
    public void Features_are_three_numbers_plus_one_hot_categories_scaled_to_the_unit_interval()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(s_rows);

        var transformed = FeaturePipeline.Build(ml).Fit(data).Transform(data);
        var vectors = transformed.GetColumn<VBuffer<float>>(FeaturePipeline.FeaturesColumn)
            .Select(v => v.DenseValues().ToArray())
            .ToList();

        vectors.Should().HaveCount(3).And.OnlyContain(v => v.Length == 3 + 3 + 3);
        vectors.SelectMany(v => v).Should().OnlyContain(x => x >= 0 && x <= 1);
        vectors[0].Skip(3).Should().NotEqual(vectors[1].Skip(3), "different categories encode differently");
    }
}
