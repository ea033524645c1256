namespace Ml_Service.Tests.Training;

public class ModelQualityTests
{
    [Fact]
    public void The_model_beats_the_baselines_and_passes_the_quality_gate()
    {
        var metrics = SharedModel.Manifest.Metrics;
        var parameters = TrainingParams.Load(Repository.ParamsPath, []);

        metrics["auc"].Should().BeGreaterThan(0.5, "a random ranking has AUC 0.5");
        metrics["accuracy"].Should().BeGreaterThan(metrics["baseline_accuracy"], "always predicting the majority class scores that");
        QualityGate.Check(metrics, parameters).Should().BeEmpty();
    }
}
