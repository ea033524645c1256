using MlOps.Platform.Tests.Fixtures;

namespace MlOps.Platform.Tests.Training;

/// <summary>A model's own quality rules are part of its gate: failing one refuses the model like failing the gate.</summary>
public class ModelQualityRuleTests
{
    [Fact]
    public void A_model_that_fails_its_own_rule_is_refused_with_the_rules_reason_and_nothing_is_served()
    {
        using var models = new ModelFolder();
        var model = new IrisNeedingPerfectVirginica();

        var act = () => Train(model, models.Root);

        act.Should().Throw<TrainingException>().Which.Message.Should()
            .Contain("F1 of virginica").And.Contain("below 1.01").And.Contain("not registered");
        File.Exists(model.ModelPath(models.Root)).Should().BeFalse();
    }

    [Fact]
    public void A_model_that_passes_its_own_rule_is_registered_and_served()
    {
        using var models = new ModelFolder();
        var model = new IrisNeedingFairSetosa();

        var manifest = Train(model, models.Root);

        manifest.Metrics["f1_setosa"].Should().BeGreaterThanOrEqualTo(0.5);
        File.Exists(model.ModelPath(models.Root)).Should().BeTrue();
    }

    private static ModelManifest Train(FixtureModel model, string modelsRoot) =>
        TrainingRun.Execute(new TrainingOptions { ModelsRoot = modelsRoot, Root = FixtureRepository.For(model) }.For(model), TextWriter.Null);

    private sealed class IrisNeedingPerfectVirginica() : FixtureModel(PublicDataset.Iris, ModelTask.Multiclass, name: "irisstrict")
    {
        public override IEnumerable<string> QualityRules(IReadOnlyDictionary<string, double> metrics)
        {
            if (metrics["f1_virginica"] < 1.01)
            {
                yield return $"F1 of virginica {metrics["f1_virginica"]:F4} is below 1.01";
            }
        }
    }

    private sealed class IrisNeedingFairSetosa() : FixtureModel(PublicDataset.Iris, ModelTask.Multiclass, name: "irisfair")
    {
        public override IEnumerable<string> QualityRules(IReadOnlyDictionary<string, double> metrics)
        {
            if (metrics["f1_setosa"] < 0.5)
            {
                yield return $"F1 of setosa {metrics["f1_setosa"]:F4} is below 0.5";
            }
        }
    }
}
