using System.Globalization;

namespace Ml_Service.Tests.Training;

/// <summary>
/// A model may not silently replace a better one: its AUC may be at most quality_gate.max_regression below the
/// serving model's, unless the run is started with --allow-regression.
/// </summary>
public class RegressionGateTests
{
    /// <summary>The thresholds are lowered so that only the comparison with the serving model can refuse.</summary>
    private static readonly string[] s_lenientThresholds =
        ["--set", "quality_gate.min_auc=0.5", "--set", "quality_gate.min_accuracy_gain=-1"];

    [Fact]
    public void A_weak_model_is_refused_while_a_better_one_serves_and_nothing_is_registered_or_served()
    {
        using var models = ModelsFolder.CopyOf(SharedModel.Folder);
        string[] runOutputs = [RunLog.FolderName, TrainingRun.MetricsFileName];
        var before = models.Snapshot(runOutputs);
        var servingAuc = SharedModel.Manifest.Metrics["auc"];

        var result = models.Run(["train", .. WeakConfiguration(), .. s_lenientThresholds]);

        result.ExitCode.Should().Be(2, result.ToString());
        var run = models.Runs[0];
        run.Status.Should().Be(RunRecord.Refused);
        run.RegisteredVersion.Should().BeNull();
        run.Auc.Should().BeLessThan(servingAuc - 0.01, "the weak configuration must be clearly worse for this test to mean anything");
        var reason = run.Gate.Reasons.Should().ContainSingle("only the regression check can refuse with these thresholds").Subject;
        reason.Should().Contain(F4(run.Auc!.Value)).And.Contain(F4(servingAuc)).And.Contain(SharedModel.Manifest.Version)
            .And.Contain("quality_gate.max_regression").And.Contain("--allow-regression");
        result.Error.Should().Contain(reason);
        run.Gate.ServingVersion.Should().Be(SharedModel.Manifest.Version);
        run.Gate.ServingAuc.Should().Be(servingAuc);

        models.Snapshot(runOutputs).Should().Equal(before, "a refused model is neither registered nor served");
    }

    [Fact]
    public void Allow_regression_registers_and_serves_the_weak_model_and_the_record_says_so()
    {
        using var models = ModelsFolder.CopyOf(SharedModel.Folder);

        var result = models.Run(["train", .. WeakConfiguration(), .. s_lenientThresholds, "--allow-regression"]);

        result.ExitCode.Should().Be(0, result.ToString());
        var run = models.Runs[0];
        run.Status.Should().Be(RunRecord.Passed);
        run.Gate.AllowRegression.Should().BeTrue();
        run.Gate.AcceptedRegression.Should().Contain(F4(SharedModel.Manifest.Metrics["auc"])).And.Contain("--allow-regression");
        models.Serving!.Version.Should().Be(run.RegisteredVersion).And.NotBe(SharedModel.Manifest.Version);
        models.Serving!.Metrics["auc"].Should().BeLessThan(SharedModel.Manifest.Metrics["auc"] - 0.01);
        ModelRegistry.Versions(models.Path).Should().Equal(SharedModel.Manifest.Version, run.RegisteredVersion);
        result.Output.Should().Contain("Warning:").And.Contain("accepted with --allow-regression");
    }

    [Theory]
    [InlineData(0.80, null)]
    [InlineData(0.795, null)]
    [InlineData(0.789, "AUC 0.7890 is 0.0110 below the serving model v1 (AUC 0.8000); quality_gate.max_regression allows 0.0100")]
    public void The_allowed_regression_is_quality_gate_max_regression(double auc, string? expected)
    {
        var parameters = TrainingParams.Parse("quality_gate:\n  max_regression: 0.01\n", "test", []);
        var serving = new ModelManifest
        {
            Version = "v1",
            CreatedAt = DateTimeOffset.UnixEpoch,
            Trainer = "test",
            DataSha256 = "0",
            Params = new Dictionary<string, string>(),
            Metrics = new Dictionary<string, double> { ["auc"] = 0.80 },
        };

        var reason = QualityGate.CheckRegression(new Dictionary<string, double> { ["auc"] = auc }, parameters, serving);

        if (expected is null)
        {
            reason.Should().BeNull();
        }
        else
        {
            reason.Should().StartWith(expected).And.Contain("make train ARGS=--allow-regression");
        }

        QualityGate.CheckRegression(new Dictionary<string, double> { ["auc"] = 0.1 }, parameters, serving: null)
            .Should().BeNull("the first model has nothing to regress against");
    }

    /// <summary>A deliberately weak configuration of the trainer params.yaml selects: a single round, tiny model.</summary>
    private static string[] WeakConfiguration()
    {
        var trainer = TrainingParams.Load(Repository.ParamsPath, []).Trainer;
        return trainer switch
        {
#if (Sdca)
            "sdca" => ["--set", "sdca.max_iterations=1", "--set", "sdca.l2_regularization=1000"],
#endif
#if (FastTree)
            "fasttree" => ["--set", "fasttree.trees=1", "--set", "fasttree.leaves=2"],
#endif
#if (LightGbm)
            "lightgbm" => ["--set", "lightgbm.iterations=1", "--set", "lightgbm.leaves=2"],
#endif
            _ => throw new InvalidOperationException($"No weak configuration for trainer '{trainer}'."),
        };
    }

    private static string F4(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
