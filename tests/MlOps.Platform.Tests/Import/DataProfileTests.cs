namespace MlOps.Platform.Tests.Import;

/// <summary>Profiling a team's CSV: the task and feature kinds inferred from real files, and unusable data refused by row and column.</summary>
public class DataProfileTests
{
    [Theory]
    [InlineData("fair/fair.csv", "affairs", ModelTask.Regression, 8)]
    [InlineData("anes96/anes96.csv", "vote", ModelTask.Binary, 9)]
    [InlineData("modechoice/modechoice.csv", "mode", ModelTask.Multiclass, 8)]
    [InlineData("modechoice/modechoice.csv", "choice", ModelTask.Binary, 8)]
    [InlineData("ccard/ccard.csv", "OWNRENT", ModelTask.Binary, 4)]
    [InlineData("star98/star98.csv", "MATHTOT", ModelTask.Regression, 21)]
    public void The_task_is_inferred_from_the_label_and_every_other_column_becomes_a_feature(string file, string label, ModelTask task, int features)
    {
        var profile = DataProfile.Of(CsvFile.Read(Statsmodels.Path(file)), label);

        profile.Label.Task.Should().Be(task);
        profile.Label.Inferred.Should().BeTrue();
        profile.Features.Should().HaveCount(features);
        profile.Features.Should().OnlyContain(f => System.Text.RegularExpressions.Regex.IsMatch(f.Name, "^[a-z][a-z0-9_]*$"));
        foreach (var feature in profile.Features.Where(f => f.Kind != FeatureKind.Categorical))
        {
            feature.Range.Min.Should().BeLessThanOrEqualTo(feature.Observed.Min, feature.Name);
            feature.Range.Max.Should().BeGreaterThanOrEqualTo(feature.Observed.Max, feature.Name);
            (feature.Range.Max - feature.Range.Min).Should().BeGreaterThan(feature.Observed.Max - feature.Observed.Min, $"{feature.Name}: a margin beyond what was seen");
        }
    }

    [Fact]
    public void Integer_codes_with_two_values_are_categories_and_a_binary_label_of_zero_and_one_has_one_as_true()
    {
        var profile = DataProfile.Of(CsvFile.Read(Statsmodels.Path("heart/heart.csv")), "survival");

        profile.Features.Single(f => f.Name == "censors").Kind.Should().Be(FeatureKind.Categorical);
        profile.Features.Single(f => f.Name == "censors").Categories.Should().Equal("0", "1");
        profile.Features.Single(f => f.Name == "age").Kind.Should().Be(FeatureKind.Number);

        var vote = DataProfile.Of(CsvFile.Read(Statsmodels.Path("anes96/anes96.csv")), "vote").Label;
        vote.Column.Should().Be("'vote'", "LABEL=vote finds the column by the name the model gives it");
        vote.Positive.Should().Be("1");
        vote.Counts.Values.Sum().Should().Be(944);
    }

    [Theory]
    [InlineData("yes", "no", "yes")]
    [InlineData("False", "True", "True")]
    [InlineData("0", "1", "1")]
    public void Known_pairs_of_binary_values_need_no_positive_class(string first, string second, string positive)
    {
        var profile = DataProfile.Of(Csv("x,y", i => $"{i},{(i % 3 == 0 ? first : second)}"), "y");

        profile.Label.Task.Should().Be(ModelTask.Binary);
        profile.Label.Positive.Should().Be(positive);
    }

    [Fact]
    public void Any_other_two_values_need_the_positive_class_named_and_it_must_be_one_of_them()
    {
        var csv = Csv("x,y", i => $"{i},{(i % 2 == 0 ? "spam" : "ham")}");

        var unnamed = () => DataProfile.Of(csv, "y");
        unnamed.Should().Throw<TrainingException>().Which.Message.Should().Contain("'spam' and 'ham'").And.Contain("POSITIVE=<value>");
        var wrong = () => DataProfile.Of(csv, "y", positive: "eggs");
        wrong.Should().Throw<TrainingException>().Which.Message.Should().Contain("POSITIVE='eggs' is not a value");
        DataProfile.Of(csv, "y", positive: "spam").Label.Classes.Should().Equal("spam", "ham");
    }

    [Fact]
    public void A_given_task_wins_over_the_inferred_one()
    {
        var profile = DataProfile.Of(CsvFile.Read(Statsmodels.Path("modechoice/modechoice.csv")), "mode", ModelTask.Regression);

        profile.Label.Task.Should().Be(ModelTask.Regression);
        profile.Label.Inferred.Should().BeFalse();
    }

    [Fact]
    public void Rows_with_an_empty_cell_are_left_out_and_their_lines_reported()
    {
        var profile = DataProfile.Of(Csv("x,c,y", i => i == 5 ? "5,,1.5" : $"{i},{(i % 2 == 0 ? "a" : "b")},{i * 1.5}"), "y");

        profile.Rows.Should().HaveCount(39);
        profile.DroppedLines.Should().Equal(7);
    }

    [Theory]
    [InlineData("stackloss/stackloss.csv", "STACKLOSS", "has 21 complete row(s); at least 30 are needed")]
    [InlineData("statecrime/statecrime.csv", "murder", "column 'state' has a different text value in every row")]
    [InlineData("fair/fair.csv", "spouse", "has no column 'spouse'. Its columns: rate_marriage, age")]
    public void Published_files_that_cannot_make_a_model_are_refused_with_what_to_do(string file, string label, string expected)
    {
        var act = () => DataProfile.Of(CsvFile.Read(Statsmodels.Path(file)), label);

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(expected);
    }

    [Theory]
    [InlineData("one class", "x,y", "one value only ('a')")]
    [InlineData("constant column", "k,x,y", "column 'k' has the same value ('7') in every row")]
    [InlineData("text in a number column", "x,y", "line 12, column 'x': 'n/a' is not a number")]
    [InlineData("too many classes", "x,y", "more than the 20 classes")]
    [InlineData("three values as binary", "x,y", "a binary label needs exactly two values; 'y' has 3")]
    public void Data_that_cannot_make_a_model_is_refused_naming_the_column(string what, string header, string expected)
    {
        var csv = what switch
        {
            "one class" => Csv(header, i => $"{i},a"),
            "constant column" => Csv(header, i => $"7,{i},{i % 2}"),
            "text in a number column" => Csv(header, i => $"{(i == 10 ? "n/a" : i)},{i % 2}"),
            "too many classes" => Csv(header, i => $"{i},c{i % 25}"),
            _ => Csv(header, i => $"{i},{i % 3}"),
        };

        var act = () => DataProfile.Of(csv, "y", what == "three values as binary" ? ModelTask.Binary : null);

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(expected);
    }

    /// <summary>40 rows made by <paramref name="row"/> (0..39) under <paramref name="header"/>.</summary>
    private static CsvFile Csv(string header, Func<int, string> row) =>
        CsvFile.Parse(header + "\n" + string.Join("\n", Enumerable.Range(0, 40).Select(row)) + "\n", "team.csv");
}
