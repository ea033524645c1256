using System.Globalization;

namespace MlOps.Platform.Tests.Training;

/// <summary>make model-card rewrites a card's generated section from the served model and keeps the written sections.</summary>
public class ModelCardTests
{
    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Model_card_rewrites_only_the_generated_section_from_the_served_manifest(string name)
    {
        var trained = SharedModel.Of(name);
        using var models = ModelsFolder.CopyOf(trained);
        var card = Path.Combine(models.Path, "card.md");
        File.Copy(Repository.CardPath(trained.Model), card);
        var original = File.ReadAllText(card);
        var manifest = trained.Manifest;
        var primary = TaskMetrics.PrimaryMetric(trained.Model.Task);

        var result = models.Run("model-card", "--card", card);

        result.ExitCode.Should().Be(0, result.ToString());
        var updated = File.ReadAllText(card);
        var (before, section, after) = Split(updated);
        (before, after).Should().Be((Split(original).Before, Split(original).After), "only the generated section changes");
        section.Should().Contain($"| Model | `{name}` |").And.Contain($"| Task | `{trained.Model.Task.ToText()}` |")
            .And.Contain($"`{manifest.Version}`").And.Contain($"`{manifest.Trainer}`").And.Contain($"`{manifest.DataSha256}`")
            .And.Contain($"`{manifest.RunId}`").And.Contain($"`{manifest.GitCommit}`")
            .And.Contain(manifest.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
            .And.Contain(manifest.Metrics[primary].ToString("0.####", CultureInfo.InvariantCulture))
            .And.Contain($"| `seed` | `{manifest.Params["seed"]}` |");
        result.Output.Should().Contain(manifest.Version);

        models.Run("model-card", "--card", card).ExitCode.Should().Be(0);
        File.ReadAllText(card).Should().Be(updated, "regenerating from the same model changes nothing");
    }

    [Fact]
    public void Model_card_without_a_served_model_fails_and_says_to_train_first()
    {
        var model = ModelCatalog.All[0];
        using var models = ModelsFolder.Empty(model);
        var card = Path.Combine(models.Path, "card.md");
        File.Copy(Repository.CardPath(model), card);

        var result = models.Run("model-card", "--card", card);

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain("No model is served").And.Contain($"make train MODEL={model.Name}");
        File.ReadAllText(card).Should().Be(File.ReadAllText(Repository.CardPath(model)));
    }

    [Fact]
    public void A_card_without_markers_is_refused()
    {
        var act = () => ModelCard.Replace("# Card\n", "generated\n", "card.md");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(ModelCard.BeginMarker).And.Contain(ModelCard.EndMarker);
    }

    private static (string Before, string Section, string After) Split(string card)
    {
        var begin = card.IndexOf(ModelCard.BeginMarker, StringComparison.Ordinal) + ModelCard.BeginMarker.Length;
        var end = card.IndexOf(ModelCard.EndMarker, StringComparison.Ordinal);
        return (card[..begin], card[begin..end], card[end..]);
    }
}
