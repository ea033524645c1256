namespace MlOps.Platform.Tests.Training;

/// <summary>
/// The team's champion: make promote and make rollback record the served model in a committed file, training
/// compares every new model with it on the same data, each run's outcome goes to the job summary, and an
/// experiment (--set) replaces the served model only when it is better or the team says so.
/// </summary>
public class ChampionTests
{
    private static readonly ModelDefinition s_model = ModelCatalog.All[0];

    [Fact]
    public void Promote_and_rollback_record_the_model_they_serve_as_the_champion_and_training_alone_does_not()
    {
        var trained = SharedModel.Of(s_model);
        using var models = ModelsFolder.CopyOf(trained);
        var second = models.TrainAnotherVersion();
        File.Exists(models.ChampionPath).Should().BeFalse("only a decision of the team (promote, rollback) records a champion");

        var promoted = models.Run("promote", trained.Manifest.Version);

        promoted.ExitCode.Should().Be(0, promoted.ToString());
        promoted.Output.Should().Contain($"Recorded as the champion in {models.ChampionPath}");
        var champion = Champion.Load(models.ChampionPath)!;
        (champion.Model, champion.Version, champion.Trainer, champion.DataSha256)
            .Should().Be((s_model.Name, trained.Manifest.Version, trained.Manifest.Trainer, trained.Manifest.DataSha256));
        champion.Metrics.Should().Equal(trained.Manifest.Metrics);

        var rolledBack = models.Run("rollback");

        rolledBack.ExitCode.Should().Be(0, rolledBack.ToString());
        Champion.Load(models.ChampionPath)!.Version.Should().Be(second).And.Be(models.Serving!.Version);
    }

    [Fact]
    public void A_model_worse_than_the_champion_on_the_same_data_is_refused_and_one_measured_on_other_data_is_not_compared()
    {
        var trained = SharedModel.Of(s_model);
        var primary = TaskMetrics.PrimaryMetric(s_model.Task);
        var value = trained.Manifest.Metrics[primary];
        using var models = ModelsFolder.Empty(s_model);
        var summary = Path.Combine(models.Path, "summary.md");
        var better = Champion.Of(trained.Manifest, DateTimeOffset.UtcNow) with
        {
            Version = "20260101.000000.0001",
            Metrics = new Dictionary<string, double>(trained.Manifest.Metrics) { [primary] = value + 0.05 },
        };
        better.Save(models.ChampionPath);

        var refused = Train(models, summary);

        refused.ExitCode.Should().Be(2, refused.ToString());
        var run = models.Runs[0];
        run.Status.Should().Be(RunRecord.Refused);
        (run.Gate.ChampionVersion, run.Gate.ChampionValue, run.Gate.ChampionCompared).Should().Be((better.Version, value + 0.05, true));
        run.Gate.Reasons.Should().ContainSingle().Which.Should().Contain($"below the champion {better.Version} of {models.ChampionPath}")
            .And.Contain("--allow-regression");
        models.Serving.Should().BeNull("a model the champion beats is not served");
        File.ReadAllText(summary).Should().Contain($"### Model `{s_model.Name}` ({s_model.Task.ToText()}): refused")
            .And.Contain($"| Champion `{better.Version}` ({models.ChampionPath}) | {value + 0.05:F4} | -0.0500 |")
            .And.Contain("Compared with the champion on the same data");

        (better with { DataSha256 = new string('0', 64) }).Save(models.ChampionPath);
        var passed = Train(models, summary);

        passed.ExitCode.Should().Be(0, passed.ToString());
        passed.Output.Should().Contain($"Champion {better.Version} of {models.ChampionPath} was measured on other data");
        models.Runs[0].Gate.ChampionCompared.Should().BeFalse();
        File.ReadAllText(summary).Should().Contain($"### Model `{s_model.Name}` ({s_model.Task.ToText()}): passed")
            .And.Contain("The champion was measured on other data: not compared.");
    }

    [Fact]
    public void An_experiment_that_does_not_beat_the_served_model_is_registered_but_served_only_with_serve()
    {
        var trained = SharedModel.Of(s_model);
        using var models = ModelsFolder.CopyOf(trained);

        // The default seed again: the same metrics, so the experiment is no better than what serves.
        var same = models.Run("train", "--set", "seed=42");

        same.ExitCode.Should().Be(0, same.ToString());
        var experiment = models.Runs[0].RegisteredVersion!;
        ModelRegistry.Versions(models.Path).Should().Contain(experiment);
        models.Serving!.Version.Should().Be(trained.Manifest.Version);
        same.Output.Should().Contain("Not served: this experiment (seed=42) does not beat the serving model")
            .And.Contain($"make promote MODEL={s_model.Name} VERSION={experiment}").And.Contain("--serve");

        var served = models.Run("train", "--set", "seed=42", "--serve");

        served.ExitCode.Should().Be(0, served.ToString());
        models.Serving!.Version.Should().Be(models.Runs[0].RegisteredVersion).And.NotBe(trained.Manifest.Version);
    }

    [Fact]
    public void A_file_that_is_not_a_champion_record_is_refused_by_name()
    {
        using var models = ModelsFolder.Empty(s_model);
        File.WriteAllText(models.ChampionPath, "{\"model\": \"x\"}");

        var result = models.Run("train");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain(models.ChampionPath);
        models.Serving.Should().BeNull();
    }

    private static AppResult Train(ModelsFolder models, string summary)
    {
        using var output = new StringWriter();
        try
        {
            TrainingRun.Execute(models.Options() with { SummaryPath = summary }, output);
            return new AppResult(0, output.ToString(), string.Empty);
        }
        catch (TrainingException ex)
        {
            return new AppResult(ex.ExitCode, output.ToString(), ex.Message);
        }
    }
}
