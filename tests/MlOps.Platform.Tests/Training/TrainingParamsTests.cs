namespace MlOps.Platform.Tests.Training;

/// <summary>Params files and the training command line: parsing, overrides and their errors.</summary>

public class TrainingParamsTests
{
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
    [InlineData("trainer: sdca\n", "'seed' is missing from params/test.yaml")]
    public void Bad_params_fail_with_a_clear_message(string yaml, string expected)
    {
        var act = () => TrainingParams.Parse(yaml, "params/test.yaml", []).Seed;

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(expected);
    }

    [Fact]
    public void Command_line_options_are_parsed()
    {
        var options = TrainingOptions.Parse(["--model", "m", "--data", "d.csv", "--output", "out", "--models", "root", "--set", "seed=7"]);

        options.ModelName.Should().Be("m");
        options.DataPath.Should().Be("d.csv");
        options.OutputDirectory.Should().Be("out");
        options.ModelsRoot.Should().Be("root");
        options.Overrides.Should().ContainSingle().Which.Should().Be(KeyValuePair.Create("seed", "7"));
        FluentActions.Invoking(() => TrainingOptions.Parse(["--bogus", "x"])).Should().Throw<TrainingException>();
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Paths_not_given_follow_the_model_conventions(string name)
    {
        var model = CatalogModels.Get(name);

        var defaults = new TrainingOptions().For(model);
        var given = TrainingOptions.Parse(["--data", "d.csv", "--card", "c.md", "--root", "repo"]).For(model);

        (defaults.Data, defaults.Params, defaults.Output, defaults.Card).Should().Be(
            ($"data/{name}.csv", $"params/{name}.yaml", Path.Combine("models", name), $"docs/models/{name}.md"));
        (given.Data, given.Params, given.Output, given.Card).Should().Be(
            ("d.csv", Path.Combine("repo", "params", $"{name}.yaml"), Path.Combine("repo", "models", name), "c.md"));
    }
}
