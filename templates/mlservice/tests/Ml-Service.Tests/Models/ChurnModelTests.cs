namespace Ml_Service.Tests.Models;

/// <summary>The churn model (binary): the testing kit's checks of every model, and what its sample data should give.</summary>
public class ChurnModelTests : ModelTests<ChurnModel>
{
    [Fact]
    public void On_its_sample_data_it_ranks_better_than_chance_and_beats_the_majority_class()
    {
        var metrics = Trained.Manifest.Metrics;

        metrics["auc"].Should().BeGreaterThan(0.6, "an AUC of 0.5 is a random ranking");
        metrics["accuracy"].Should().BeGreaterThan(metrics["baseline_accuracy"], "always predicting the majority class scores the baseline");
    }
}
