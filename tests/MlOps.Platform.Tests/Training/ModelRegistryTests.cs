using System.Text.Json;

namespace MlOps.Platform.Tests.Training;

/// <summary>
/// Every version of a model that passes the gate is registered under its version in the model's folder; training serves it, promote serves any
/// registered version, rollback the one promoted before; the history is kept in promotions.jsonl.
/// </summary>
public class ModelRegistryTests
{
    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Training_registers_the_model_serves_it_and_records_the_promotion(string name)
    {
        var trained = SharedModel.Of(name);
        var version = trained.Manifest.Version;
        var registered = ModelRegistry.PathOf(trained.Folder, version);

        version.Should().MatchRegex(@"^\d{8}\.\d{6}\.[0-9a-f]{4}$", "versions sort by time and are unique");
        ModelRegistry.Versions(trained.Folder).Should().Equal(version);
        Bytes(Path.Combine(registered, TrainedModel.FileName)).Should().Equal(Bytes(trained.ModelPath));
        ModelManifest.Load(Path.Combine(registered, ModelManifest.FileName)).Should().BeEquivalentTo(trained.Manifest);
        var promotion = ModelRegistry.History(trained.Folder).Should().ContainSingle().Subject;
        promotion.Should().Match<PromotionEntry>(p =>
            p.Action == PromotionEntry.Train && p.Version == version && p.Previous == null && p.RunId == trained.Manifest.RunId);
        Directory.EnumerateFiles(trained.Folder, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty("no temporary file is left behind");
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Promote_and_rollback_switch_the_served_manifest_and_model_and_say_what_changed(string name)
    {
        var trained = SharedModel.Of(name);
        using var models = ModelsFolder.CopyOf(trained);
        var first = trained.Manifest.Version;
        var second = models.TrainAnotherVersion();
        second.Should().NotBe(first);
        var lines = File.ReadAllLines(ModelRegistry.HistoryPath(models.Path));
        lines.Should().HaveCount(2, "promotions are JSON lines, one per change");
        using (var last = JsonDocument.Parse(lines[1]))
        {
            last.RootElement.GetProperty("action").GetString().Should().Be("train");
            last.RootElement.GetProperty("version").GetString().Should().Be(second);
            last.RootElement.GetProperty("previous").GetString().Should().Be(first);
            last.RootElement.GetProperty("at").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        }

        var promote = models.Run("promote", first);

        promote.ExitCode.Should().Be(0, promote.ToString());
        promote.Output.Should().Contain($"Was serving: {second}").And.Contain($"Now serving: {first}");
        AssertServes(models, first);

        var rollback = models.Run("rollback");

        rollback.ExitCode.Should().Be(0, rollback.ToString());
        rollback.Output.Should().Contain($"Was serving: {first}").And.Contain($"Now serving: {second}");
        AssertServes(models, second);
        ModelRegistry.History(models.Path).Select(h => (h.Action, h.Version)).Should().Equal(
            (PromotionEntry.Train, first), (PromotionEntry.Train, second), (PromotionEntry.Promote, first), (PromotionEntry.Rollback, second));

        var again = models.Run("rollback");

        again.ExitCode.Should().Be(0, again.ToString());
        AssertServes(models, first);
        var nothingLeft = models.Run("rollback");
        nothingLeft.ExitCode.Should().Be(1, "the first model ever promoted has nothing before it: " + nothingLeft);
        AssertServes(models, first);
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Rollback_without_history_fails_cleanly_and_changes_nothing(string name)
    {
        var trained = SharedModel.Of(name);
        using var empty = ModelsFolder.Empty(trained.Model);
        using var single = ModelsFolder.CopyOf(trained);
        var before = single.Snapshot();

        var withoutModels = empty.Run("rollback");
        var withOnePromotion = single.Run("rollback");

        withoutModels.ExitCode.Should().Be(1, withoutModels.ToString());
        withoutModels.Error.Should().Contain("Nothing to roll back").And.Contain("no promotion is recorded");
        Directory.EnumerateFileSystemEntries(empty.Path).Should().BeEmpty();
        withOnePromotion.ExitCode.Should().Be(1, withOnePromotion.ToString());
        withOnePromotion.Error.Should().Contain("Nothing to roll back").And.Contain($"{trained.Manifest.Version} is the only version promoted");
        single.Snapshot().Should().Equal(before);
    }

    [Theory]
    [InlineData("20000101.000000.0000")]
    [InlineData("../runs")]
    public void Promote_of_an_unregistered_version_fails_cleanly_and_lists_the_registered_ones(string version)
    {
        var trained = SharedModel.Of(ModelCatalog.All[0]);
        using var models = ModelsFolder.CopyOf(trained);
        var before = models.Snapshot();

        var result = models.Run("promote", version);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain($"'{version}' is not registered").And.Contain("nothing changed").And.Contain(trained.Manifest.Version);
        models.Snapshot().Should().Equal(before);
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Promote_without_a_version_says_how_to_give_one(string name)
    {
        using var models = ModelsFolder.Empty(CatalogModels.Get(name));

        var result = models.Run("promote", string.Empty);

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain("make promote VERSION=<version>");
    }

    [Fact]
    public void Rollback_returns_to_the_version_promoted_before_the_current_one()
    {
        static PromotionEntry Entry(string action, string version) => new(DateTimeOffset.UnixEpoch, action, version, null, null);

        ModelRegistry.ServingStack([Entry("train", "a"), Entry("train", "b"), Entry("promote", "a")]).Should().Equal("a", "b", "a");
        ModelRegistry.ServingStack([Entry("train", "a"), Entry("train", "b"), Entry("rollback", "a")]).Should().Equal("a");
        ModelRegistry.ServingStack([Entry("train", "a"), Entry("promote", "a")]).Should().Equal(["a"], "promoting the serving version again is no new step");
        ModelRegistry.ServingStack([]).Should().BeEmpty();
    }

    private static void AssertServes(ModelsFolder models, string version)
    {
        var registered = ModelRegistry.PathOf(models.Path, version);
        models.Serving!.Version.Should().Be(version);
        File.ReadAllText(Path.Combine(models.Path, ModelManifest.FileName)).Should().Be(File.ReadAllText(Path.Combine(registered, ModelManifest.FileName)));
        Bytes(models.ServingModel).Should().Equal(Bytes(Path.Combine(registered, TrainedModel.FileName)), $"model.zip must be the registered {version}");
        TrainedModel.Load(models.ServingModel, models.Model).Version.Should().Be(version);
    }

    private static byte[] Bytes(string path) => File.ReadAllBytes(path);
}
