using Microsoft.ML;

namespace Ml_Service.Tests.Models;

/// <summary>The plan model (multiclass): its example request validates and is scored; on its sample data it beats the baseline.</summary>
public class PlanModelTests
{
    private static ModelDefinition Definition => ModelCatalog.All.OfType<PlanModel>().Single();

    [Fact]
    public void Its_example_request_validates_and_every_instance_gets_a_class_with_a_probability_per_class()
    {
        var instances = Repository.ExampleInstances(Definition);
        var ml = new MLContext();
        using var engine = TrainedModel.Load(ml, SharedModel.Of(Definition).ModelPath, Definition).CreateEngine<MulticlassPrediction>(ml);

        instances.Should().NotBeEmpty();
        foreach (var instance in instances)
        {
            var errors = new List<FeatureError>();
            var row = Definition.Validate(instance, errors);
            errors.Should().BeEmpty();

            var prediction = engine.Predict(row!);

            Definition.Label.Classes.Should().Contain(prediction.PredictedLabel);
            prediction.Score.Should().HaveCount(Definition.Label.Classes.Count).And.OnlyContain(p => p >= 0 && p <= 1);
            prediction.Score.Sum().Should().BeApproximately(1f, 1e-3f);
            Definition.Label.Classes[Array.IndexOf(prediction.Score, prediction.Score.Max())].Should().Be(prediction.PredictedLabel);
        }
    }

    [Fact]
    public void On_its_sample_data_it_beats_always_predicting_the_most_frequent_class()
    {
        var metrics = SharedModel.Of(Definition).Manifest.Metrics;
        var majorityShare = metrics["baseline_accuracy"];
        // Always predicting the most frequent class: F1 2p/(1+p) for that class, 0 for the others.
        var majorityMacroF1 = 2 * majorityShare / (1 + majorityShare) / Definition.Label.Classes.Count;

        Definition.Task.Should().Be(ModelTask.Multiclass);
        metrics["macro_f1"].Should().BeGreaterThan(majorityMacroF1 + 0.1);
        metrics["accuracy"].Should().BeGreaterThan(majorityShare, "always predicting the most frequent class scores the baseline");
    }
}
