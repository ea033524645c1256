using System.Text.Json;

namespace Ml_Service.Tests.Features;

public class FeatureSchemaTests
{
    private static Dictionary<string, RawValue> ValidRecord() => new()
    {
        [FeatureSchema.TenureMonths] = RawValue.FromCsv("5"),
        [FeatureSchema.MonthlyCharges] = RawValue.FromCsv("89.5"),
        [FeatureSchema.SupportCalls] = RawValue.FromCsv("4"),
        [FeatureSchema.Contract] = RawValue.FromCsv("month-to-month"),
        [FeatureSchema.PaymentMethod] = RawValue.FromCsv("electronic-check"),
    };

    [Fact]
    public void A_valid_record_becomes_features()
    {
        var errors = new List<FeatureError>();

        var features = FeatureSchema.Validate(ValidRecord(), errors);

        errors.Should().BeEmpty();
        features.Should().BeEquivalentTo(new ChurnFeatures
        {
            TenureMonths = 5,
            MonthlyCharges = 89.5f,
            SupportCalls = 4,
            Contract = "month-to-month",
            PaymentMethod = "electronic-check",
        });
    }

    [Theory]
    [InlineData(FeatureSchema.TenureMonths, "-1", "between")]
    [InlineData(FeatureSchema.TenureMonths, "2.5", "whole number")]
    [InlineData(FeatureSchema.MonthlyCharges, "cheap", "must be a number")]
    [InlineData(FeatureSchema.MonthlyCharges, "NaN", "finite")]
    [InlineData(FeatureSchema.SupportCalls, "1e9", "between")]
    [InlineData(FeatureSchema.Contract, "lifetime", "must be one of")]
    [InlineData(FeatureSchema.PaymentMethod, "", "is required")]
    public void An_invalid_value_is_reported_against_its_field(string field, string value, string expected)
    {
        var record = ValidRecord();
        record[field] = RawValue.FromCsv(value);
        var errors = new List<FeatureError>();

        var features = FeatureSchema.Validate(record, errors);

        features.Should().BeNull();
        errors.Should().ContainSingle().Which.Should().Match<FeatureError>(e => e.Field == field && e.Message.Contains(expected));
    }

    [Fact]
    public void Unknown_fields_are_rejected_so_typos_do_not_go_unnoticed()
    {
        var record = ValidRecord();
        record["tenure"] = RawValue.FromCsv("5");
        var errors = new List<FeatureError>();

        FeatureSchema.Validate(record, errors).Should().BeNull();

        errors.Should().ContainSingle().Which.Field.Should().Be("tenure");
    }

    [Fact]
    public void Json_strings_are_not_silently_coerced_to_numbers()
    {
        using var json = JsonDocument.Parse("""{"n": "12", "x": 12, "b": true}""");
        var root = json.RootElement;

        RawValue.FromJson(root.GetProperty("n")).Kind.Should().Be(RawKind.Text);
        RawValue.FromJson(root.GetProperty("x")).Should().Be(new RawValue(RawKind.Number, 12, "12"));
        RawValue.FromJson(root.GetProperty("b")).Kind.Should().Be(RawKind.Other);
    }

    [Fact]
    public void The_canary_row_satisfies_the_schema()
    {
        var canary = FeatureSchema.Canary;
        var record = new Dictionary<string, RawValue>
        {
            [FeatureSchema.TenureMonths] = new(RawKind.Number, canary.TenureMonths),
            [FeatureSchema.MonthlyCharges] = new(RawKind.Number, canary.MonthlyCharges),
            [FeatureSchema.SupportCalls] = new(RawKind.Number, canary.SupportCalls),
            [FeatureSchema.Contract] = new(RawKind.Text, Text: canary.Contract),
            [FeatureSchema.PaymentMethod] = new(RawKind.Text, Text: canary.PaymentMethod),
        };
        var errors = new List<FeatureError>();

        FeatureSchema.Validate(record, errors).Should().BeEquivalentTo(canary);
        errors.Should().BeEmpty();
    }
}
