namespace Ml_Service.Tests.Training;

public class TrainingDataTests
{
    private const string Header = "tenure_months,monthly_charges,support_calls,contract,payment_method,churned";

    [Fact]
    public void The_shipped_sample_data_is_valid_and_has_both_classes()
    {
        var rows = TrainingData.Load(Repository.DataPath);

        rows.Should().HaveCountGreaterThan(500);
        rows.Select(r => r.Churned).Distinct().Should().HaveCount(2);
    }

    [Fact]
    public void Bad_rows_fail_with_a_report_naming_each_row_and_column()
    {
        string[] lines =
        [
            Header,
            "5,89.5,4,month-to-month,electronic-check,true",
            "abc,89.5,4,month-to-month,electronic-check,false",
            "5,89.5,4,lifetime,electronic-check,maybe",
        ];

        var act = () => TrainingData.Parse(lines, "test.csv");

        act.Should().Throw<TrainingException>()
            .Which.Message.Should().Contain("3 problem(s)")
            .And.Contain("row 3, column tenure_months")
            .And.Contain("row 4, column contract")
            .And.Contain("row 4, column churned");
    }

    [Fact]
    public void A_missing_column_is_named()
    {
        var act = () => TrainingData.Parse(["tenure_months,churned", "5,true"], "test.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("monthly_charges").And.Contain("contract");
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_values_is_reported()
    {
        var act = () => TrainingData.Parse([Header, "5,89.5,4"], "test.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("row 2: has 3 values");
    }
}
