namespace Ml_Service.Tests.Training;

public class TrainingParamsTests
{
    [Fact]
    public void The_shipped_params_name_a_trainer_this_repository_contains()
    {
        var parameters = TrainingParams.Load(Repository.ParamsPath, []);

        TrainerFactory.Available.Should().Contain(parameters.Trainer);
    }

    [Fact]
    public void Nested_values_are_flattened_and_command_line_overrides_win()
    {
        var parameters = TrainingParams.Parse(
            "seed: 1\nquality_gate:\n  min_auc: 0.7\n",
            "test",
            [KeyValuePair.Create("quality_gate.min_auc", "0.9")]);

        parameters.Seed.Should().Be(1);
        parameters.GetDouble("quality_gate.min_auc").Should().Be(0.9);
    }

    [Fact]
    public void Overriding_an_unknown_parameter_is_an_error_not_a_silent_no_op()
    {
        var act = () => TrainingParams.Parse("seed: 1\n", "test", [KeyValuePair.Create("sed", "2")]);

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("Unknown parameter 'sed'");
    }

    [Theory]
    [InlineData("seed: [1, 2\n", "not valid YAML")]
    [InlineData("seed: many\n", "whole number")]
    public void Bad_params_fail_with_a_clear_message(string yaml, string expected)
    {
        var act = () => TrainingParams.Parse(yaml, "test", []).Seed;

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(expected);
    }

    [Fact]
    public void Command_line_options_are_parsed()
    {
        var options = TrainingOptions.Parse(["--data", "d.csv", "--output", "out", "--set", "seed=7"]);

        options.DataPath.Should().Be("d.csv");
        options.OutputDirectory.Should().Be("out");
        options.Overrides.Should().ContainSingle().Which.Should().Be(KeyValuePair.Create("seed", "7"));
        FluentActions.Invoking(() => TrainingOptions.Parse(["--bogus", "x"])).Should().Throw<TrainingException>();
    }
}
