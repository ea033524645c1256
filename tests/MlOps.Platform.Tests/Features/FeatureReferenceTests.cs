using Microsoft.ML;

namespace MlOps.Platform.Tests.Features;

/// <summary>
/// The manifest keeps how every feature was distributed in the training split, and the population stability
/// index compares served inputs with it.
/// </summary>
public class FeatureReferenceTests
{
    public static TheoryData<string> Models => [.. ModelCatalog.Names];

    [Theory]
    [MemberData(nameof(Models))]
    public void The_manifest_has_a_reference_for_every_feature_of_the_model(string name)
    {
        var model = ModelCatalog.Find(name)!;
        var references = SharedModel.Of(model).Manifest.FeatureReference;

        references.Should().NotBeNull();
        references!.Keys.Should().BeEquivalentTo(model.Features.Select(c => c.Name));
        foreach (var column in model.Features)
        {
            var reference = references[column.Name];
            reference.Proportions.Sum().Should().BeApproximately(1, 1e-9, column.Name);
            if (column is CategoricalFeature categorical)
            {
                reference.Kind.Should().Be(FeatureReference.CategoricalKind);
                reference.Categories.Should().Equal(categorical.Allowed, "categories follow the definition's order");
                reference.Proportions.Should().HaveCount(categorical.Allowed.Count);
            }
            else
            {
                reference.Kind.Should().Be(FeatureReference.NumericKind);
                reference.Edges.Should().HaveCount(9).And.BeInAscendingOrder();
                reference.Proportions.Should().HaveCount(10);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_reference_describes_the_training_split_not_the_whole_file(string name)
    {
        var model = ModelCatalog.Find(name)!;
        var parameters = TrainingParams.Load(Repository.ParamsPath(model), []);
        var ml = new MLContext(parameters.Seed);
        var split = ModelTrainer.Split(ml, model, TrainingData.Load(model, Repository.DataPath(model)), parameters);
        var trainingRows = model.FromDataView(ml, split.TrainSet);
        var feature = model.NumericFeatures[0].Name;
        var reference = SharedModel.Of(model).Manifest.FeatureReference![feature];

        var counts = new long[10];
        foreach (var row in trainingRows)
        {
            counts[reference.BinOf(model.Numeric(row, feature))]++;
        }

        counts.Select(c => c / (double)trainingRows.Count).Should().Equal(reference.Proportions);
        FeatureReference.Psi(reference, counts).Should().BeApproximately(0, 1e-12, "the training split against itself has no drift");
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(1, 1)]
    [InlineData(4.99, 4)]
    [InlineData(9, 9)]
    [InlineData(1000, 9)]
    public void A_value_falls_in_the_bin_counting_the_edges_at_or_below_it(double value, int bin)
    {
        var reference = FeatureReference.Numeric(Enumerable.Range(0, 11).Select(i => (double)i));

        reference.Edges.Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9);
        reference.BinOf(value).Should().Be(bin);
    }

    [Fact]
    public void Psi_is_zero_for_the_same_distribution_and_large_for_a_shift_even_into_empty_bins()
    {
        var reference = FeatureReference.Categorical(["a", "b", "c"], ["a", "a", "b", "b"]);

        reference.Proportions.Should().Equal(0.5, 0.5, 0);
        FeatureReference.Psi(reference, [50, 50, 0]).Should().Be(0);
        FeatureReference.Psi(reference, [45, 55, 0]).Should().BeInRange(0.001, 0.1, "a small shift is a small index");
        var shifted = FeatureReference.Psi(reference, [10, 10, 80]);
        shifted.Should().BeGreaterThan(0.25, "most inputs in a bin training never saw is a large shift");
        double.IsFinite(shifted).Should().BeTrue("empty bins count as a small epsilon, not zero");
        FeatureReference.Psi(reference, [0, 0, 0]).Should().Be(0, "no inputs, no evidence of drift");
        reference.BinOf("z").Should().Be(-1);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_reference_round_trips_through_the_manifest_json(string name)
    {
        var trained = SharedModel.Of(ModelCatalog.Find(name)!);
        var path = Path.Combine(trained.Folder, ModelManifest.FileName);
        var json = File.ReadAllText(path);

        json.Should().Contain("\"feature_reference\"").And.Contain("\"kind\": \"numeric\"").And.Contain("\"edges\"")
            .And.Contain("\"kind\": \"categorical\"").And.Contain("\"categories\"").And.Contain("\"proportions\"");
        ModelManifest.Load(path)!.FeatureReference.Should().BeEquivalentTo(trained.Manifest.FeatureReference);
    }
}
