namespace MlOps.Platform.Tests.Fixtures;

/// <summary>The testing kit's checks of every model, on a model of a public dataset in its own repository folder.</summary>
public abstract class FixtureModelTests<TModel> : ModelTests<TModel>
    where TModel : FixtureModel, new()
{
    protected override string Root => FixtureRepository.For((FixtureModel)Model);
}

public sealed class CancerModelTests : FixtureModelTests<CancerModel>;

public sealed class IrisModelTests : FixtureModelTests<IrisModel>;

public sealed class WineModelTests : FixtureModelTests<WineModel>;

public sealed class DiabetesModelTests : FixtureModelTests<DiabetesModel>;

public sealed class AffairsModelTests : FixtureModelTests<AffairsModel>;

public sealed class SpectorModelTests : FixtureModelTests<SpectorModel>;

public sealed class DerivedDiabetesModelTests : FixtureModelTests<DerivedDiabetesModel>;
