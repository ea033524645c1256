using System.Globalization;

namespace MlOps.Platform.Tests.Training;

/// <summary>
/// A model may not silently replace a better one: its primary metric (AUC, macro-F1 or R²) may be at most
/// quality_gate.max_regression below the serving model's, unless the run is started with --allow-regression.
/// </summary>
public class RegressionGateTests
{
    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void A_weak_model_is_refused_while_a_better_one_serves_and_nothing_is_registered_or_served(string name)
    {
        var trained = SharedModel.Of(name);
        using var models = ModelsFolder.CopyOf(trained);
        string[] runOutputs = [RunLog.FolderName, TrainingRun.MetricsFileName];
        var before = models.Snapshot(runOutputs);
        var primary = TaskMetrics.PrimaryMetric(trained.Model.Task);
        var serving = trained.Manifest.Metrics[primary];

        var result = models.Run(["train", .. WeakConfiguration(trained.Model), .. ModelsFolder.LenientThresholds(trained.Model)]);

        result.ExitCode.Should().Be(2, result.ToString());
        var run = models.Runs[0];
        run.Status.Should().Be(RunRecord.Refused);
        run.RegisteredVersion.Should().BeNull();
        run.Primary.Should().BeLessThan(serving - 0.01, "the weak configuration must be clearly worse for this test to mean anything");
        var reason = run.Gate.Reasons.Should().ContainSingle("only the regression check can refuse with these thresholds").Subject;
        reason.Should().Contain(TaskMetrics.DisplayName(primary)).And.Contain(F4(run.Primary!.Value)).And.Contain(F4(serving))
            .And.Contain(trained.Manifest.Version).And.Contain("quality_gate.max_regression").And.Contain("--allow-regression");
        result.Error.Should().Contain(reason);
        run.Gate.PrimaryMetric.Should().Be(primary);
        run.Gate.ServingVersion.Should().Be(trained.Manifest.Version);
        run.Gate.ServingValue.Should().Be(serving);

        models.Snapshot(runOutputs).Should().Equal(before, "a refused model is neither registered nor served");

        var accepted = models.Run(["train", .. WeakConfiguration(trained.Model), .. ModelsFolder.LenientThresholds(trained.Model), "--allow-regression"]);

        accepted.ExitCode.Should().Be(0, accepted.ToString());
        var acceptedRun = models.Runs[0];
        acceptedRun.Status.Should().Be(RunRecord.Passed);
        acceptedRun.Gate.AllowRegression.Should().BeTrue();
        acceptedRun.Gate.AcceptedRegression.Should().Contain(F4(serving)).And.Contain("--allow-regression");
        models.Serving!.Version.Should().Be(acceptedRun.RegisteredVersion).And.NotBe(trained.Manifest.Version);
        models.Serving!.Metrics[primary].Should().BeLessThan(serving - 0.01);
        ModelRegistry.Versions(models.Path).Should().Equal(trained.Manifest.Version, acceptedRun.RegisteredVersion);
        accepted.Output.Should().Contain("Warning:").And.Contain("accepted with --allow-regression");
    }

    [Theory]
    [InlineData(ModelTask.Binary, "auc", 0.80, null)]
    [InlineData(ModelTask.Binary, "auc", 0.795, null)]
    [InlineData(ModelTask.Binary, "auc", 0.789, "AUC 0.7890 is 0.0110 below the serving model v1 (AUC 0.8000); quality_gate.max_regression allows 0.0100")]
    [InlineData(ModelTask.Multiclass, "macro_f1", 0.789, "macro-F1 0.7890 is 0.0110 below the serving model v1 (macro-F1 0.8000)")]
    [InlineData(ModelTask.Regression, "r2", 0.791, null)]
    [InlineData(ModelTask.Regression, "r2", 0.7, "R² 0.7000 is 0.1000 below the serving model v1 (R² 0.8000)")]
    public void The_allowed_regression_is_quality_gate_max_regression_of_the_primary_metric(ModelTask task, string primary, double value, string? expected)
    {
        var parameters = TrainingParams.Parse("quality_gate:\n  max_regression: 0.01\n", "test", []);
        var serving = new ModelManifest
        {
            Version = "v1",
            CreatedAt = DateTimeOffset.UnixEpoch,
            Trainer = "test",
            DataSha256 = "0",
            Params = new Dictionary<string, string>(),
            Metrics = new Dictionary<string, double> { [primary] = 0.80 },
        };

        var reason = QualityGate.CheckRegression(task, new Dictionary<string, double> { [primary] = value }, parameters, serving);

        if (expected is null)
        {
            reason.Should().BeNull();
        }
        else
        {
            reason.Should().StartWith(expected).And.Contain("make train ARGS=--allow-regression");
        }

        QualityGate.CheckRegression(task, new Dictionary<string, double> { [primary] = 0.1 }, parameters, serving: null)
            .Should().BeNull("the first model has nothing to regress against");
    }

    /// <summary>A deliberately weak configuration of the trainer the model's params select: a single round, tiny model.</summary>
    private static string[] WeakConfiguration(ModelDefinition model)
    {
        var trainer = TrainingParams.Load(Repository.ParamsPath(model), []).Trainer;
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
