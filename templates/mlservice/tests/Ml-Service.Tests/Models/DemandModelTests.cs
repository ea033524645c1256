namespace Ml_Service.Tests.Models;

/// <summary>The demand model (regression): the testing kit's checks of every model, and what its sample data should give.</summary>
public class DemandModelTests : ModelTests<DemandModel>
{
    [Fact]
    public void On_its_sample_data_it_beats_always_predicting_the_training_mean()
    {
        var metrics = Trained.Manifest.Metrics;

        metrics["rmse"].Should().BeLessThan(metrics["baseline_rmse"], "always predicting the training mean scores the baseline");
        metrics["r2"].Should().BeGreaterThan(0.1, "an R² of 0 is no better than the mean");
    }
}
