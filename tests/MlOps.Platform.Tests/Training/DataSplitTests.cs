using System.Text.Json.Nodes;
using MlOps.Platform.Tests.Fixtures;

namespace MlOps.Platform.Tests.Training;

/// <summary>Small and sorted data trains honestly: an exact, stratified, seeded held-out split, and k-fold figures when the data is small.</summary>
public class DataSplitTests
{
    [Fact]
    public void The_fraction_asked_for_is_held_out_to_the_row_and_each_class_in_proportion_even_when_the_file_is_sorted_by_class()
    {
        var model = new IrisModel();
        var rows = TrainingData.Load(model, Repository.DataPath(model, FixtureRepository.For(model)));

        var (train, test) = ModelTrainer.SplitRows(model, rows, 0.2, seed: 42);

        test.Should().HaveCount(30, "a fifth of 150 rows");
        train.Should().HaveCount(120);
        test.GroupBy(model.LabelText).Should().HaveCount(3).And.OnlyContain(g => g.Count() == 10, "iris is sorted by class, and each class keeps its share");
        train.Concat(test).Should().BeEquivalentTo(rows, "every row is on exactly one side");
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var model = new WineModel();
        var rows = TrainingData.Load(model, Repository.DataPath(model, FixtureRepository.For(model)));

        var first = ModelTrainer.SplitRows(model, rows, 0.25, seed: 7).Test;
        var again = ModelTrainer.SplitRows(model, rows, 0.25, seed: 7).Test;
        var other = ModelTrainer.SplitRows(model, rows, 0.25, seed: 8).Test;

        first.Should().HaveCount(45, "a quarter of 178 rows, rounded");
        again.Should().Equal(first);
        other.Should().NotEqual(first);
    }

    [Fact]
    public void A_small_dataset_is_cross_validated_in_its_run_record_and_a_large_one_is_not()
    {
        using var models = new ModelFolder();
        var small = new SpectorModel();
        var large = new AffairsModel();

        var smallRun = TrainAndReadRun(small, models.Root);
        var largeRun = TrainAndReadRun(large, models.Root);

        var folds = smallRun["cross_validation"]!;
        ((int)folds["folds"]!).Should().Be(ModelTrainer.Folds);
        ((string)folds["metric"]!).Should().Be("auc");
        folds["per_fold"]!.AsArray().Select(v => (double)v!).Should().HaveCount(5).And.OnlyContain(v => v >= 0 && v <= 1);
        ((double)folds["mean"]!).Should().BeApproximately(folds["per_fold"]!.AsArray().Average(v => (double)v!), 1e-9);
        largeRun["cross_validation"].Should().BeNull("6,366 rows give one trustworthy held-out split");
    }

    private static JsonNode TrainAndReadRun(FixtureModel model, string modelsRoot)
    {
        var manifest = TrainingRun.Execute(new TrainingOptions { ModelsRoot = modelsRoot, Root = FixtureRepository.For(model) }.For(model), TextWriter.Null);
        return JsonNode.Parse(File.ReadAllText(Path.Combine(modelsRoot, model.Name, "runs", manifest.RunId + ".json")))!;
    }
}
