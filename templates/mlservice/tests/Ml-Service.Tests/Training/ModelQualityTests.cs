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

    [Fact]
    public void Same_data_params_and_seed_give_the_same_metrics()
    {
        var rows = TrainingData.Load(Repository.DataPath);
        var parameters = TrainingParams.Load(Repository.ParamsPath, []);

        var first = ModelTrainer.Train(rows, parameters);
        var second = ModelTrainer.Train(rows, parameters);

        second.Metrics.Should().Equal(first.Metrics);
    }

    [Fact]
    public void An_unreachable_threshold_fails_the_gate_and_saves_no_model()
    {
        var output = Path.Combine(Path.GetTempPath(), "Ml-Service.Tests", Guid.NewGuid().ToString("N"));
        var options = new TrainingOptions
        {
            DataPath = Repository.DataPath,
            ParamsPath = Repository.ParamsPath,
            OutputDirectory = output,
            Overrides = [KeyValuePair.Create("quality_gate.min_auc", "0.999")],
        };

        var act = () => TrainingRun.Execute(options, TextWriter.Null);

        act.Should().Throw<TrainingException>().Which.Should().Match<TrainingException>(e =>
            e.ExitCode == 2 && e.Message.Contains("AUC"));
        Directory.Exists(output).Should().BeFalse();
    }
}
