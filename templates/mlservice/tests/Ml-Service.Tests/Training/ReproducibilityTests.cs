using Microsoft.ML;

namespace Ml_Service.Tests.Training;

/// <summary>A run is reproducible from its record: the same data, parameters and seed give the same model.</summary>
public class ReproducibilityTests
{
    [Fact]
    public void Same_data_params_and_seed_give_identical_metrics_and_predictions()
    {
        using var again = ModelsFolder.Empty();

        var manifest = again.Train();

        manifest.Metrics.Should().Equal(SharedModel.Manifest.Metrics);
        manifest.Params.Should().Equal(SharedModel.Manifest.Params);
        manifest.DataSha256.Should().Be(SharedModel.Manifest.DataSha256);
        manifest.FeatureReference.Should().BeEquivalentTo(SharedModel.Manifest.FeatureReference);
        var sample = TrainingData.Load(Repository.DataPath).Take(50).ToArray();
        Predict(again.ServingModel, sample).Should().Equal(Predict(SharedModel.ModelPath, sample), "the same run must score every sample row identically");
    }

    [Fact]
    public void Another_seed_gives_another_run_record_and_compare_names_the_seed_and_the_metrics_that_moved()
    {
        using var models = ModelsFolder.CopyOf(SharedModel.Folder);
        var first = models.Runs.Should().ContainSingle().Subject;

        // Recorded whether or not this split lets the model pass the gate.
        var trained = models.Run("train", "--set", "seed=7");

        var second = models.Runs.Should().HaveCount(2).And.Subject.First();
        trained.ExitCode.Should().Be(second.Status == RunRecord.Passed ? 0 : 2, trained.ToString());
        second.RunId.Should().NotBe(first.RunId);
        second.Params["seed"].Should().Be("7");
        second.Overrides.Should().Equal(new Dictionary<string, string> { ["seed"] = "7" });
        second.Metrics.Should().NotEqual(first.Metrics, "another seed draws another train/test split");

        var comparison = RunLog.Compare(first, second);
        comparison.Params.Should().ContainSingle().Which.Should().Be(new RunDifference("seed", "42", "7", -35));
        var auc = comparison.Metrics.Should().Contain(d => d.Name == "auc").Subject;
        auc.Delta.Should().BeApproximately(second.Metrics!["auc"] - first.Metrics!["auc"], 1e-12);
        comparison.Metrics.Select(d => d.Name).Should().OnlyContain(name => first.Metrics[name] != second.Metrics[name]);

        var printed = models.Run("compare", first.RunId, second.RunId);
        printed.ExitCode.Should().Be(0, printed.ToString());
        printed.Output.Should().MatchRegex(@"(?m)^\s+seed\s+42\s+7\s+-35\s*$").And.MatchRegex(@"(?m)^\s+auc\s+0\.\d{4}\s+0\.\d{4}\s+[+-]0\.\d+\s*$");
    }

    [Fact]
    public void Runs_lists_every_run_newest_first_with_its_gate_and_version()
    {
        using var models = ModelsFolder.CopyOf(SharedModel.Folder);
        models.Run("train", "--set", "quality_gate.min_auc=0.999").ExitCode.Should().Be(2);

        var listed = models.Run("runs");

        listed.ExitCode.Should().Be(0, listed.ToString());
        var lines = listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().StartWith("RUN").And.Contain("SEED").And.Contain("AUC").And.Contain("GATE").And.Contain("VERSION");
        var runs = models.Runs;
        lines[1].Should().StartWith(runs[0].RunId).And.Contain("refused");
        lines[2].Should().StartWith(runs[1].RunId).And.Contain("passed").And.EndWith(SharedModel.Manifest.Version);
    }

    [Fact]
    public void Compare_of_an_unknown_run_fails_and_names_the_known_runs()
    {
        using var models = ModelsFolder.CopyOf(SharedModel.Folder);
        var known = models.Runs.Single().RunId;

        var result = models.Run("compare", known, "20000101-000000-0000");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("No run '20000101-000000-0000'").And.Contain(known);
    }

    private static (float Probability, float Score)[] Predict(string modelPath, IEnumerable<ChurnFeatures> rows)
    {
        var ml = new MLContext();
        using var engine = TrainedModel.Load(ml, modelPath).CreateEngine(ml);
        return [.. rows.Select(r => engine.Predict(r)).Select(s => (s.Probability, s.Score))];
    }
}
