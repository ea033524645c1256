namespace MlOps.Platform.Tests.Import;

/// <summary>The import command's line: what it needs, and the names it refuses before reading any data.</summary>
public class ImportOptionsTests
{
    [Fact]
    public void A_full_command_line_is_read_into_its_options()
    {
        var options = ImportOptions.Parse(["--name", "vote2", "--data", "d.csv", "--label", "vote", "--task", "binary", "--positive", "yes", "--root", "/r", "--check"]);

        options.Should().Be(new ImportOptions("vote2", "d.csv", "vote", ModelTask.Binary, "yes", "/r", CheckOnly: true));
    }

    [Theory]
    [InlineData("Vote")]
    [InlineData("v")]
    [InlineData("2vote")]
    [InlineData("vote-2")]
    [InlineData("../etc")]
    [InlineData("abcdefghijklmnopqrstuvwxyz12345")]
    public void A_name_that_cannot_be_a_file_a_type_and_a_route_is_refused(string name)
    {
        var act = () => ImportOptions.Parse(["--name", name, "--data", "d.csv", "--label", "y"]);

        act.Should().Throw<TrainingException>().WithMessage($"'{name}' is not a valid model name*");
    }

    [Theory]
    [InlineData(new[] { "--name", "vote", "--data", "d.csv" }, "give the model's name, the data and the label column")]
    [InlineData(new[] { "--name", "vote", "--data", "d.csv", "--label", "y", "--task", "ranking" }, "unknown task 'ranking'")]
    [InlineData(new[] { "--name", "vote", "--data" }, "--data needs a value")]
    [InlineData(new[] { "--name", "vote", "--colour", "red" }, "unknown option '--colour'")]
    public void A_command_line_without_what_it_needs_is_refused_with_what_is_missing(string[] args, string message)
    {
        var act = () => ImportOptions.Parse(args);

        act.Should().Throw<TrainingException>().WithMessage($"*{message}*");
    }
}
