using Microsoft.ML;

namespace Ml_Service.Tests.Models;

/// <summary>The churn model (binary): its example request validates and is scored; on its sample data it beats the baseline.</summary>
public class ChurnModelTests
{
    private static ModelDefinition Definition => ModelCatalog.All.OfType<ChurnModel>().Single();

    [Fact]
    public void Its_example_request_validates_and_every_instance_gets_a_probability()
    {
        var instances = Repository.ExampleInstances(Definition);
        var ml = new MLContext();
        using var engine = TrainedModel.Load(ml, SharedModel.Of(Definition).ModelPath, Definition).CreateEngine<BinaryPrediction>(ml);

        instances.Should().NotBeEmpty();
        foreach (var instance in instances)
        {
            var errors = new List<FeatureError>();
            var row = Definition.Validate(instance, errors);
            errors.Should().BeEmpty();

            var prediction = engine.Predict(row!);

            prediction.Probability.Should().BeInRange(0f, 1f);
            prediction.PredictedLabel.Should().Be(prediction.Probability > 0.5f);
        }
    }

    [Fact]
    public void On_its_sample_data_it_ranks_better_than_chance_and_beats_the_majority_class()
    {
        var metrics = SharedModel.Of(Definition).Manifest.Metrics;

        Definition.Task.Should().Be(ModelTask.Binary);
        metrics["auc"].Should().BeGreaterThan(0.6, "an AUC of 0.5 is a random ranking");
        metrics["accuracy"].Should().BeGreaterThan(metrics["baseline_accuracy"], "always predicting the majority class scores the baseline");
    }
}
