namespace MlOps.Platform.Tests.Training;

/// <summary>Each task's metrics and quality gate.</summary>
public class TaskMetricsTests
{
    [Theory]
    [InlineData(ModelTask.Binary, "auc")]
    [InlineData(ModelTask.Multiclass, "macro_f1")]
    [InlineData(ModelTask.Regression, "r2")]
    public void Each_task_is_gated_on_its_primary_metric(ModelTask task, string primary)
    {
        TaskMetrics.PrimaryMetric(task).Should().Be(primary);
        QualityGate.Keys(task).Should().Contain($"quality_gate.min_{primary}").And.Contain("quality_gate.max_regression");
    }

    [Theory]
    [InlineData(ModelTask.Binary, "accuracy", "baseline_accuracy", "majority class")]
    [InlineData(ModelTask.Multiclass, "accuracy", "baseline_accuracy", "majority class")]
    [InlineData(ModelTask.Regression, "rmse", "baseline_rmse", "training mean")]
    public void Each_task_kind_is_of_its_task_and_names_its_metrics_and_baseline(ModelTask task, string secondary, string baseline, string strategy)
    {
        var kind = task.Kind();

        (kind.Task, kind.SecondaryMetric, kind.BaselineMetric, kind.BaselineStrategy).Should().Be((task, secondary, baseline, strategy));
        kind.ToString().Should().Be(task.ToText());
        ModelTasks.All.Select(TaskKind.Of).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void The_outcome_labels_of_a_task_are_what_its_predictions_are_counted_by()
    {
        TaskKind.Binary.OutcomeLabels(new ChurnModel()).Should().Equal("true", "false");
        TaskKind.Multiclass.OutcomeLabels(new PlanModel()).Should().Equal(new PlanModel().Label.Classes);
        TaskKind.Regression.OutcomeLabels(new DemandModel()).Should().Equal("value");
    }

    [Fact]
    public void A_regression_model_must_beat_the_training_mean_by_the_required_margin()
    {
        var parameters = TrainingParams.Parse("quality_gate:\n  min_r2: 0.5\n  min_rmse_gain: 0.2\n", "test", []);
        var metrics = new Dictionary<string, double> { ["r2"] = 0.6, ["rmse"] = 8.5, ["baseline_rmse"] = 10 };

        var failures = QualityGate.Check(ModelTask.Regression, metrics, parameters);

        failures.Should().ContainSingle().Which.Should().Contain("RMSE 8.5000").And.Contain("baseline 10.0000").And.Contain("at most 8.0000");
        QualityGate.Check(ModelTask.Regression, new Dictionary<string, double>(metrics) { ["rmse"] = 8 }, parameters).Should().BeEmpty();
    }

    [Fact]
    public void Multiclass_metrics_average_the_per_class_f1_and_count_the_majority_class_as_baseline()
    {
        string[] classes = ["a", "b", "c"];
        string[] actual = ["a", "a", "a", "b", "c", "c"];
        string[] predicted = ["a", "a", "b", "b", "c", "a"];
        float[] likelyA = [0.5f, 0.25f, 0.25f];
        float[] likelyC = [0.25f, 0.25f, 0.5f];
        float[][] scores = [.. actual.Select(a => a == "a" ? likelyA : likelyC)];

        var metrics = TaskMetrics.Multiclass(classes, actual, predicted, scores);

        metrics["f1_a"].Should().BeApproximately(2.0 * 2 / (3 + 3), 1e-12);
        metrics["f1_b"].Should().BeApproximately(2.0 * 1 / (2 + 1), 1e-12);
        metrics["f1_c"].Should().BeApproximately(2.0 * 1 / (1 + 2), 1e-12);
        metrics["macro_f1"].Should().BeApproximately((metrics["f1_a"] + metrics["f1_b"] + metrics["f1_c"]) / 3, 1e-12);
        metrics["accuracy"].Should().BeApproximately(4 / 6.0, 1e-12);
        metrics["baseline_accuracy"].Should().BeApproximately(3 / 6.0, 1e-12);
        metrics["log_loss"].Should().BeApproximately(-(3 * Math.Log(0.5) + Math.Log(0.25) + 2 * Math.Log(0.5)) / 6, 1e-9);
    }
}
