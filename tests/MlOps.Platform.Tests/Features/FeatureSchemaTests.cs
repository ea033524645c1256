using System.Text.Json;

namespace MlOps.Platform.Tests.Features;

/// <summary>Validation of input records against each model's definition, the one contract of training data and requests.</summary>
public class FeatureSchemaTests
{
    public static TheoryData<string> Models => [.. ModelCatalog.Names];

    public static TheoryData<string, string, string, string> InvalidValues
    {
        get
        {
            var data = new TheoryData<string, string, string, string>();
            foreach (var model in ModelCatalog.All)
            {
                foreach (var (feature, value, expected) in ModelCases.InvalidValues(model))
                {
                    data.Add(model.Name, feature, value, expected);
                }
            }

            return data;
        }
    }

    [Fact]
    public void The_catalog_finds_every_definition_by_name_in_name_order()
    {
        var definitions = System.Reflection.Assembly.Load("Ml-Service.Model").GetTypes()
            .Where(t => !t.IsAbstract && t.IsSubclassOf(typeof(ModelDefinition)))
            .ToList();

        ModelCatalog.All.Select(m => m.GetType()).Should().BeEquivalentTo(definitions);
        ModelCatalog.Names.Should().BeInAscendingOrder(StringComparer.Ordinal).And.OnlyHaveUniqueItems();
        ModelCatalog.Names.Should().OnlyContain(n => System.Text.RegularExpressions.Regex.IsMatch(n, ModelDefinition.NamePattern));
        foreach (var model in ModelCatalog.All)
        {
            ModelCatalog.Find(model.Name).Should().BeSameAs(model);
        }

        ModelCatalog.Find("no-such-model").Should().BeNull();
    }

    [Fact]
    public void Two_definitions_with_one_name_are_refused_naming_both_classes()
    {
        var act = () => ModelCatalog.FromTypes([typeof(SameNameA), typeof(SameNameB)]);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"*'samename'*{nameof(SameNameA)}*{nameof(SameNameB)}*");
    }

    [Fact]
    public void A_definition_whose_canary_is_invalid_is_refused()
    {
        var act = () => ModelCatalog.FromTypes([typeof(BadCanary)]);

        act.Should().Throw<InvalidOperationException>().WithMessage("*canary*size*");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_valid_record_becomes_a_row_of_the_models_vector_sizes(string name)
    {
        var model = ModelCatalog.Find(name)!;
        var errors = new List<FeatureError>();

        var row = model.Validate(ModelCases.ValidRecord(model), errors);

        errors.Should().BeEmpty();
        row.Should().NotBeNull();
        row!.Numbers.Should().HaveCount(model.NumericFeatures.Count);
        row.Categories.Should().HaveCount(model.CategoricalFeatures.Count);
        foreach (var feature in model.NumericFeatures)
        {
            model.Numeric(row, feature.Name).Should().Be(model.Canary[feature.Name].Number);
        }

        foreach (var feature in model.CategoricalFeatures)
        {
            model.Categorical(row, feature.Name).Should().Be(model.Canary[feature.Name].Text);
        }
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void An_invalid_value_is_reported_against_its_field(string name, string field, string value, string expected)
    {
        var model = ModelCatalog.Find(name)!;
        var record = ModelCases.ValidRecord(model);
        record[field] = RawValue.FromCsv(value);
        var errors = new List<FeatureError>();

        var row = model.Validate(record, errors);

        row.Should().BeNull();
        errors.Should().ContainSingle().Which.Should().Match<FeatureError>(e => e.Field == field && e.Message.Contains(expected));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Unknown_fields_and_the_label_are_rejected_in_a_request(string name)
    {
        var model = ModelCatalog.Find(name)!;
        var record = ModelCases.ValidRecord(model);
        record["unlisted_field"] = RawValue.FromCsv("5");
        record[model.Label.Name] = RawValue.FromCsv("1");
        var errors = new List<FeatureError>();

        model.Validate(record, errors).Should().BeNull();

        errors.Select(e => e.Field).Should().BeEquivalentTo("unlisted_field", model.Label.Name);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_training_example_needs_a_label_valid_for_the_task(string name)
    {
        var model = ModelCatalog.Find(name)!;
        var (valid, invalid) = model.Task switch
        {
            ModelTask.Binary => ("true", "maybe"),
            ModelTask.Multiclass => (model.Label.Classes[^1], "not-a-class"),
            _ => ("12.5", "many"),
        };
        var record = ModelCases.ValidRecord(model);
        var errors = new List<FeatureError>();

        record[model.Label.Name] = RawValue.FromCsv(valid);
        var example = model.ValidateExample(record, errors);
        record[model.Label.Name] = RawValue.FromCsv(invalid);
        var refused = model.ValidateExample(record, errors);
        record.Remove(model.Label.Name);
        var unlabeled = model.ValidateExample(record, errors);

        example.Should().NotBeNull();
        model.LabelText(example!).Should().Be(valid);
        refused.Should().BeNull();
        unlabeled.Should().BeNull();
        errors.Select(e => e.Field).Should().Equal(model.Label.Name, model.Label.Name);
        errors[1].Message.Should().Be("is required");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_canary_satisfies_the_definition(string name)
    {
        var model = ModelCatalog.Find(name)!;
        var errors = new List<FeatureError>();

        model.Validate(model.Canary, errors).Should().NotBeNull();
        errors.Should().BeEmpty();
        model.Description.Should().NotBeNullOrWhiteSpace();
        model.Features.Should().OnlyContain(f => !string.IsNullOrWhiteSpace(f.Description), "the API document describes every feature");
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

    private abstract class TestDefinition : ModelDefinition
    {
        public override ModelTask Task => ModelTask.Binary;

        public override string Description => "A definition of the tests.";

        public override IReadOnlyList<FeatureColumn> Features { get; } = [new NumericFeature("size", 0, 10, WholeNumber: true) { Description = "A size." }];

        public override LabelColumn Label { get; } = LabelColumn.Binary("outcome");

        public override IReadOnlyDictionary<string, RawValue> Canary { get; } = new Dictionary<string, RawValue> { ["size"] = RawValue.Of(5) };
    }

    private sealed class SameNameA : TestDefinition
    {
        public override string Name => "samename";
    }

    private sealed class SameNameB : TestDefinition
    {
        public override string Name => "samename";
    }

    private sealed class BadCanary : TestDefinition
    {
        public override string Name => "badcanary";

        public override IReadOnlyDictionary<string, RawValue> Canary { get; } = new Dictionary<string, RawValue> { ["size"] = RawValue.Of(50) };
    }
}
