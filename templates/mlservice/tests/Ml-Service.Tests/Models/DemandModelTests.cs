using Microsoft.ML;

namespace Ml_Service.Tests.Models;

/// <summary>The demand model (regression): its example request validates and is scored; on its sample data it beats the baseline.</summary>
public class DemandModelTests
{
    private static ModelDefinition Definition => ModelCatalog.All.OfType<DemandModel>().Single();

    [Fact]
    public void Its_example_request_validates_and_every_instance_gets_a_finite_value()
    {
        var instances = Repository.ExampleInstances(Definition);
        var ml = new MLContext();
        using var engine = TrainedModel.Load(ml, SharedModel.Of(Definition).ModelPath, Definition).CreateEngine<RegressionPrediction>(ml);

        instances.Should().NotBeEmpty();
        foreach (var instance in instances)
        {
            var errors = new List<FeatureError>();
            var row = Definition.Validate(instance, errors);
            errors.Should().BeEmpty();

            var prediction = engine.Predict(row!);

            float.IsFinite(prediction.Score).Should().BeTrue();
        }
    }

    [Fact]
    public void On_its_sample_data_it_beats_always_predicting_the_training_mean()
    {
        var metrics = SharedModel.Of(Definition).Manifest.Metrics;

        Definition.Task.Should().Be(ModelTask.Regression);
        metrics["rmse"].Should().BeLessThan(metrics["baseline_rmse"], "always predicting the training mean scores the baseline");
        metrics["r2"].Should().BeGreaterThan(0.1, "an R² of 0 is no better than the mean");
    }
}
