using Microsoft.ML;

namespace MlOps.Platform.Tests.Training;

/// <summary>A run is reproducible from its record: the same data, parameters and seed give the same model.</summary>
public class ReproducibilityTests
{
    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Same_data_params_and_seed_give_identical_metrics_and_predictions(string name)
    {
        var trained = SharedModel.Of(name);
        using var again = ModelsFolder.Empty(trained.Model);

        var manifest = again.Train();

        manifest.Metrics.Should().Equal(trained.Manifest.Metrics);
        manifest.Params.Should().Equal(trained.Manifest.Params);
        manifest.DataSha256.Should().Be(trained.Manifest.DataSha256);
        manifest.FeatureReference.Should().BeEquivalentTo(trained.Manifest.FeatureReference);
        var sample = TrainingData.Load(trained.Model, Repository.DataPath(trained.Model)).Take(50).ToArray();
        Scores(trained.Model, again.ServingModel, sample).Should().BeEquivalentTo(
            Scores(trained.Model, trained.ModelPath, sample), o => o.WithStrictOrdering(), "the same run must score every sample row identically");
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Another_seed_gives_another_run_record_and_compare_names_the_seed_and_the_metrics_that_moved(string name)
    {
        var trained = SharedModel.Of(name);
        using var models = ModelsFolder.CopyOf(trained);
        var first = models.Runs.Should().ContainSingle().Subject;
        var primary = TaskMetrics.PrimaryMetric(trained.Model.Task);

        // Recorded whether or not this split lets the model pass the gate.
        var result = models.Run("train", "--set", "seed=7");

        var second = models.Runs.Should().HaveCount(2).And.Subject.First();
        result.ExitCode.Should().Be(second.Status == RunRecord.Passed ? 0 : 2, result.ToString());
        second.RunId.Should().NotBe(first.RunId);
        second.Params["seed"].Should().Be("7");
        second.Overrides.Should().Equal(new Dictionary<string, string> { ["seed"] = "7" });
        second.Metrics.Should().NotEqual(first.Metrics, "another seed draws another train/test split");

        var comparison = RunLog.Compare(first, second);
        comparison.Params.Should().ContainSingle().Which.Should().Be(new RunDifference("seed", "42", "7", -35));
        var moved = comparison.Metrics.Should().Contain(d => d.Name == primary).Subject;
        moved.Delta.Should().BeApproximately(second.Metrics![primary] - first.Metrics![primary], 1e-12);
        comparison.Metrics.Select(d => d.Name).Should().OnlyContain(metric => first.Metrics[metric] != second.Metrics[metric]);

        var printed = models.Run("compare", first.RunId, second.RunId);
        printed.ExitCode.Should().Be(0, printed.ToString());
        printed.Output.Should().MatchRegex(@"(?m)^\s+seed\s+42\s+7\s+-35\s*$").And.MatchRegex($@"(?m)^\s+{primary}\s+-?\d+\.\d{{4}}\s+-?\d+\.\d{{4}}\s+[+-]\d+\.\d+\s*$");

        var listed = models.Run("runs");

        listed.ExitCode.Should().Be(0, listed.ToString());
        var lines = listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().StartWith("RUN").And.Contain("SEED").And.Contain(primary.ToUpperInvariant()).And.Contain("GATE").And.Contain("VERSION");
        lines[1].Should().StartWith(second.RunId).And.Contain(second.Status);
        lines[2].Should().StartWith(first.RunId).And.Contain("passed").And.EndWith(trained.Manifest.Version);
    }

    [Fact]
    public void Compare_of_an_unknown_run_fails_and_names_the_known_runs()
    {
        using var models = ModelsFolder.CopyOf(SharedModel.Of(ModelCatalog.All[0]));
        var known = models.Runs.Single().RunId;

        var result = models.Run("compare", known, "20000101-000000-0000");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("No run '20000101-000000-0000'").And.Contain(known);
    }

    /// <summary>What the model at <paramref name="modelPath"/> outputs for each row: its score, or its scores per class.</summary>
    private static float[][] Scores(ModelDefinition model, string modelPath, IEnumerable<LabeledRow> rows)
    {
        using var trained = TrainedModel.Load(modelPath, model);
        var rowsAsFeatures = rows.Select(r => new FeatureRow { Numbers = r.Numbers, Categories = r.Categories }).ToArray();
        switch (model.Task)
        {
            case ModelTask.Binary:
                using (var engine = trained.CreateEngine<BinaryPrediction>())
                {
                    return [.. rowsAsFeatures.Select(r => engine.Predict(r)).Select(p => new[] { p.Probability, p.Score })];
                }

            case ModelTask.Multiclass:
                using (var engine = trained.CreateEngine<MulticlassPrediction>())
                {
                    return [.. rowsAsFeatures.Select(r => engine.Predict(r).Score.ToArray())];
                }

            default:
                using (var engine = trained.CreateEngine<RegressionPrediction>())
                {
                    return [.. rowsAsFeatures.Select(r => new[] { engine.Predict(r).Score })];
                }
        }
    }
}
