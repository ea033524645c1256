namespace Ml_Service.Tests.Training;

/// <summary>The training app's commands, as `make data`, `make train` and `make evaluate` call them.</summary>
public class TrainingCommandTests
{
    [Theory]
    [InlineData(new string[0], TrainingCommand.Train)]
    [InlineData(new[] { "train", "--set", "seed=7" }, TrainingCommand.Train)]
    [InlineData(new[] { "validate" }, TrainingCommand.Validate)]
    [InlineData(new[] { "evaluate", "--output", "elsewhere" }, TrainingCommand.Evaluate)]
    [InlineData(new[] { "runs" }, TrainingCommand.Runs)]
    [InlineData(new[] { "compare", "a", "b" }, TrainingCommand.Compare)]
    [InlineData(new[] { "promote", "20261124.063700.ab12" }, TrainingCommand.Promote)]
    [InlineData(new[] { "rollback" }, TrainingCommand.Rollback)]
    [InlineData(new[] { "model-card" }, TrainingCommand.ModelCard)]
    public void The_first_argument_names_the_command(string[] args, TrainingCommand expected) =>
        TrainingOptions.Parse(args).Command.Should().Be(expected);

    [Fact]
    public void An_unknown_command_is_an_error_that_lists_the_commands()
    {
        var act = () => TrainingOptions.Parse(["retrain"]);

        act.Should().Throw<TrainingException>().WithMessage("*'retrain'*train, validate, evaluate, runs, compare, promote, rollback or model-card*");
    }

    [Theory]
    [InlineData(new[] { "compare", "a" }, "compare needs two run ids")]
    [InlineData(new[] { "compare", "", "" }, "make runs-compare A=<run> B=<run>")]
    [InlineData(new[] { "promote" }, "make promote VERSION=<version>")]
    [InlineData(new[] { "rollback", "now" }, "'rollback' takes no arguments")]
    public void Missing_or_extra_arguments_are_an_error_that_shows_the_usage(string[] args, string expected)
    {
        var act = () => TrainingOptions.Parse(args);

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(expected);
    }

    [Fact]
    public void Allow_regression_is_a_flag()
    {
        var options = TrainingOptions.Parse(["train", "--allow-regression", "--set", "seed=7"]);

        options.AllowRegression.Should().BeTrue();
        options.Overrides.Should().ContainSingle();
        TrainingOptions.Parse(["train"]).AllowRegression.Should().BeFalse();
    }

    [Fact]
    public void Validate_reports_the_rows_it_checked()
    {
        using var log = new StringWriter();

        var rows = TrainingRun.Validate(new TrainingOptions { DataPath = Repository.DataPath }, log);

        rows.Should().NotBeEmpty();
        log.ToString().Should().Contain($"{rows.Count} valid rows");
    }

    [Fact]
    public void Evaluate_scores_the_saved_model_on_the_held_out_split_exactly_as_training_did()
    {
        var output = Path.GetDirectoryName(SharedModel.ModelPath)!;
        var options = new TrainingOptions { DataPath = Repository.DataPath, ParamsPath = Repository.ParamsPath, OutputDirectory = output };

        var metrics = TrainingRun.Evaluate(options, TextWriter.Null);

        metrics.Should().Equal(SharedModel.Manifest.Metrics, "evaluate must use the same seeded split as training");
        File.Exists(Path.Combine(output, TrainingRun.EvaluationFileName)).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_without_a_model_fails_with_a_clear_message()
    {
        var output = Directory.CreateTempSubdirectory("Ml-Service.Tests-").FullName;
        try
        {
            var options = new TrainingOptions { DataPath = Repository.DataPath, ParamsPath = Repository.ParamsPath, OutputDirectory = output };

            var act = () => TrainingRun.Evaluate(options, TextWriter.Null);

            act.Should().Throw<TrainingException>().WithMessage("*does not exist*make train*");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
