namespace Ml_Service.Tests.Models;

/// <summary>The plan model (multiclass): the testing kit's checks of every model, and what its sample data should give.</summary>
public class PlanModelTests : ModelTests<PlanModel>
{
    [Fact]
    public void On_its_sample_data_it_beats_always_predicting_the_most_frequent_class()
    {
        var metrics = Trained.Manifest.Metrics;
        var majorityShare = metrics["baseline_accuracy"];
        // Always predicting the most frequent class: F1 2p/(1+p) for that class, 0 for the others.
        var majorityMacroF1 = 2 * majorityShare / (1 + majorityShare) / Model.Label.Classes.Count;

        metrics["macro_f1"].Should().BeGreaterThan(majorityMacroF1 + 0.1);
        metrics["accuracy"].Should().BeGreaterThan(majorityShare, "always predicting the most frequent class scores the baseline");
    }
}
