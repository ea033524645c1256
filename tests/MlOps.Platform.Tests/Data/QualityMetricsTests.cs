using Microsoft.ML;
using Xunit.Abstractions;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// <see cref="QualityMetrics"/>, the plain arithmetic of live quality, gives what training's ML.NET evaluators
/// (<see cref="TaskMetrics"/>) give on the same predictions: each sample model's trained predictions of every row of its data.
/// </summary>
public sealed class QualityMetricsTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-9;

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public void Each_tasks_metrics_equal_those_of_the_MLNET_evaluators_on_every_row_of_the_sample_data(string name)
    {
        var (model, rows, outcomes) = Scored(name);

        var expected = TaskMetrics.FromOutcomes(new MLContext(seed: 1), model, outcomes, rows, rows.Average(r => r.Value));
        var actual = QualityMetrics.Of(model, outcomes, rows);

        var kind = model.Task.Kind();
        actual.Keys.Should().BeEquivalentTo(kind.PrimaryMetric, kind.SecondaryMetric);
        foreach (var (metric, value) in actual)
        {
            output.WriteLine($"{name} {metric}: {value:R} (ML.NET {expected[metric]:R}, difference {Math.Abs(value - expected[metric]):E2}) on {rows.Count} rows");
            value.Should().BeApproximately(expected[metric], Tolerance, metric);
        }
    }

    [Fact]
    public void Tied_scores_count_half_as_in_the_MLNET_evaluator()
    {
        var (model, rows, outcomes) = Scored(ModelCatalog.All.First(m => m.Task == ModelTask.Binary).Name);
        // Scores rounded to one decimal: hundreds of ties, between and within the classes.
        var tied = outcomes.Cast<BinaryOutcome>().Select(o => (Outcome)(o with { Score = MathF.Round(o.Score, 1) })).ToList();
        tied.Cast<BinaryOutcome>().Select(o => o.Score).Distinct().Count().Should().BeLessThan(tied.Count / 10);

        var expected = TaskMetrics.FromOutcomes(new MLContext(seed: 1), model, tied, rows, 0);
        var actual = QualityMetrics.Of(model, tied, rows);

        output.WriteLine($"tied auc: {actual["auc"]:R} (ML.NET {expected["auc"]:R})");
        actual["auc"].Should().BeApproximately(expected["auc"], Tolerance);
        QualityMetrics.Auc([false, true, false, true], [0.1, 0.5, 0.5, 0.9]).Should().Be(0.875, "three pairs right, one tied");
    }

    [Fact]
    public void A_metric_the_rows_cannot_define_is_left_out_and_the_others_kept()
    {
        var binary = ModelCatalog.All.First(m => m.Task == ModelTask.Binary);
        var regression = ModelCatalog.All.First(m => m.Task == ModelTask.Regression);

        var oneClass = QualityMetrics.Of(binary, [new BinaryOutcome(true, 0.8f, 1), new BinaryOutcome(false, 0.4f, -1)], [new LabeledRow { Flag = true }, new LabeledRow { Flag = true }]);
        var oneValue = QualityMetrics.Of(regression, [new RegressionOutcome(3), new RegressionOutcome(5)], [new LabeledRow { Value = 4 }, new LabeledRow { Value = 4 }]);

        oneClass.Should().Equal(new Dictionary<string, double> { ["accuracy"] = 0.5 });
        oneValue.Should().Equal(new Dictionary<string, double> { ["rmse"] = 1 });
        var judge = () => QualityMetrics.Of(binary, [], []);
        judge.Should().Throw<ArgumentException>();
    }

    /// <summary>The model trained from the sample data, its rows and its predictions of them.</summary>
    private static (ModelDefinition Model, IReadOnlyList<LabeledRow> Rows, Outcome[] Outcomes) Scored(string name)
    {
        var model = ServedModelCases.Model(name);
        var rows = TrainingData.Load(model, Repository.DataPath(model));
        using var trained = TrainedModel.Load(SharedModel.Of(model).ModelPath, model);
        return (model, rows, trained.Score(rows));
    }
}
