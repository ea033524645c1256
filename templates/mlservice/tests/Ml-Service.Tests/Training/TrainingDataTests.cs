using System.Globalization;

namespace Ml_Service.Tests.Training;

/// <summary>Training data is validated against the model's definition, features and label, before any training.</summary>
public class TrainingDataTests
{
    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void The_shipped_sample_data_is_valid_and_has_at_least_two_outcomes(string name)
    {
        var model = CatalogModels.Get(name);

        var rows = TrainingData.Load(model, Repository.DataPath(model));

        rows.Should().HaveCountGreaterThan(500);
        rows.Select(model.LabelText).Distinct().Should().HaveCountGreaterThan(1);
        if (model.Task == ModelTask.Multiclass)
        {
            rows.Select(r => r.Class).Distinct().Should().BeEquivalentTo(model.Label.Classes, "the sample data has every class");
        }
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Bad_rows_fail_with_a_report_naming_each_row_and_column(string name)
    {
        var model = CatalogModels.Get(name);
        var lines = File.ReadLines(Repository.DataPath(model)).Take(4).ToArray();
        var header = lines[0].Split(',');
        var numeric = model.Features.OfType<NumericFeature>().First().Name;
        var categorical = model.Features.OfType<CategoricalFeature>().First().Name;
        lines[2] = Replace(header, lines[2], numeric, "abc");
        lines[3] = Replace(header, Replace(header, lines[3], categorical, "no-such-category"), model.Label.Name, "not-a-label");

        var act = () => TrainingData.Parse(model, lines, "test.csv");

        act.Should().Throw<TrainingException>()
            .Which.Message.Should().Contain("3 problem(s)")
            .And.Contain($"row 3, column {numeric}")
            .And.Contain($"row 4, column {categorical}")
            .And.Contain($"row 4, column {model.Label.Name}")
            .And.NotContain("row 2,");
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void A_missing_column_is_named(string name)
    {
        var model = CatalogModels.Get(name);
        var lines = File.ReadLines(Repository.DataPath(model)).Take(2).ToArray();
        var dropped = model.Features[^1].Name;
        var keep = lines[0].Split(',').Select((h, i) => (h, i)).Where(p => p.h != dropped).Select(p => p.i).ToArray();
        string Drop(string line) => string.Join(',', keep.Select(i => line.Split(',')[i]));

        var act = () => TrainingData.Parse(model, [Drop(lines[0]), Drop(lines[1])], "test.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("lacks the column(s)").And.Contain(dropped);
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void A_row_with_the_wrong_number_of_values_is_reported(string name)
    {
        var model = CatalogModels.Get(name);
        var lines = File.ReadLines(Repository.DataPath(model)).Take(2).ToArray();

        var act = () => TrainingData.Parse(model, [lines[0], lines[1] + ",1"], "test.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(
            string.Create(CultureInfo.InvariantCulture, $"row 2: has {lines[0].Split(',').Length + 1} values"));
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Data_with_a_single_outcome_cannot_train(string name)
    {
        var model = CatalogModels.Get(name);
        var lines = File.ReadLines(Repository.DataPath(model)).Take(2).ToArray();

        var act = () => TrainingData.Parse(model, [lines[0], lines[1], lines[1]], "test.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("at least two");
    }

    private static string Replace(string[] header, string line, string column, string value)
    {
        var cells = line.Split(',');
        cells[Array.IndexOf(header, column)] = value;
        return string.Join(',', cells);
    }
}
