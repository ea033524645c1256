using MlOps.Platform.Tests.Fixtures;

namespace MlOps.Platform.Tests.Features;

/// <summary>
/// Features derived from the inputs: computed by validation after the inputs check, the same for a training row
/// and a request, never sent by callers, named when they cannot be computed, listed in the card.
/// (The testing kit trains, gates and scores such a model: <see cref="DerivedDiabetesModelTests"/>.)
/// </summary>
public class DerivedFeatureTests
{
    private static readonly DerivedDiabetesModel s_model = new();

    [Fact]
    public void Each_derived_feature_follows_the_inputs_and_a_request_and_a_training_row_get_the_same_values()
    {
        var record = s_model.Canary;
        var inputs = s_model.NumericFeatures.Count;

        var request = s_model.Validate(record, new List<FeatureError>())!;
        var training = s_model.ValidateExample(
            new Dictionary<string, RawValue>(record) { [s_model.Label.Name] = RawValue.Of(151.0) }, new List<FeatureError>())!;

        request.Numbers.Should().HaveCount(inputs + s_model.DerivedFeatures.Count);
        training.Numbers.Should().Equal(request.Numbers);
        double Input(string name) => s_model.Numeric(request, name);
        request.Numbers[inputs..].Should().Equal(
            (float)(Input("bmi") * Input("bp")),
            (float)(Input("ldl") / Input("hdl")),
            (float)Math.Log(1 + Input("glu")),
            (float)new[] { 30.0, 45, 60 }.Count(edge => Input("age") >= edge));
    }

    [Fact]
    public void Callers_cannot_send_a_derived_feature()
    {
        var errors = new List<FeatureError>();

        s_model.Validate(new Dictionary<string, RawValue>(s_model.Canary) { ["bmi_x_bp"] = RawValue.Of(1.0) }, errors).Should().BeNull();

        errors.Should().ContainSingle().Which.Should().Be(new FeatureError("bmi_x_bp", "is not a feature of this model"));
    }

    [Fact]
    public void A_derived_value_that_is_not_a_finite_number_makes_the_record_invalid_and_is_named_and_a_ratio_over_zero_is_zero()
    {
        var model = new SmallModel([DerivedFeature.Log("log_x", "x"), DerivedFeature.Ratio("x_per_y", "x", "y")]);
        var errors = new List<FeatureError>();

        model.Validate(Record(-1, 2), errors).Should().BeNull();

        errors.Should().ContainSingle().Which.Should().Be(new FeatureError("log_x", "(derived: ln(1 + x)) is not a finite number for these inputs"));
        model.Validate(Record(3, 0), new List<FeatureError>())!.Numbers.Should().Equal(3f, 0f, (float)Math.Log(4), 0f);
    }

    [Fact]
    public void A_definition_whose_derived_features_read_unknown_inputs_or_reuse_a_name_is_refused_with_each_problem()
    {
        var model = new SmallModel([DerivedFeature.Product("x", "x", "y"), DerivedFeature.Log("log_z", "z"), DerivedFeature.Log("log_z", "x")]);

        var act = model.CheckConsistency;

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*derived feature 'x' has the name of an input feature or of the label*")
            .WithMessage("*derived feature 'log_z' reads 'z', which is no input feature*")
            .WithMessage("*derived feature 'log_z' is defined 2 times*");
    }

    [Fact]
    public void Bucket_edges_must_be_increasing()
    {
        var act = () => DerivedFeature.Bucket("band", "x", 3, 3);

        act.Should().Throw<ArgumentException>().WithMessage("*increasing order*");
    }

    [Fact]
    public void The_generated_card_section_lists_each_derived_feature_with_its_formula()
    {
        var manifest = SharedModel.Of(s_model, FixtureRepository.For(s_model)).Manifest;

        var section = ModelCard.Render(manifest, s_model.DerivedFeatures);

        section.Should().Contain("| `bmi_x_bp` | `bmi * bp` |").And.Contain("| `ldl_per_hdl` | `ldl / hdl (0 where hdl is 0)` |")
            .And.Contain("| `log_glu` | `ln(1 + glu)` |").And.Contain("| `age_band` | `bucket of age at 30, 45, 60` |");
    }

    private static Dictionary<string, RawValue> Record(double x, double y) => new() { ["x"] = RawValue.Of(x), ["y"] = RawValue.Of(y) };

    private sealed class SmallModel(IReadOnlyList<DerivedFeature> derived) : ModelDefinition
    {
        public override string Name => "small";

        public override ModelTask Task => ModelTask.Regression;

        public override string Description => "Two numbers.";

        public override IReadOnlyList<FeatureColumn> Features { get; } =
            [new NumericFeature("x", -5, 5, WholeNumber: false), new NumericFeature("y", -5, 5, WholeNumber: false)];

        public override IReadOnlyList<DerivedFeature> DerivedFeatures => derived;

        public override LabelColumn Label => LabelColumn.Regression("target");

        public override IReadOnlyDictionary<string, RawValue> Canary => Record(1, 1);
    }
}
