namespace MlOps.Platform.Tests.Fixtures;

/// <summary>
/// A model made the way <c>make add-model NAME=... DATA=... LABEL=...</c> makes one: a statsmodels data file read as
/// it ships (its own delimiter, quoting and column names), profiled, and defined from the profile; its repository
/// files (data, params with the gate set from the data's baseline, card, example request) written by the import.
/// </summary>
public abstract class ImportedFixture(string name, string file, string label, ModelTask? task = null)
    : ImportedModel(name, DataProfile.Of(CsvFile.Read(Statsmodels.Path(file)), label, task));

/// <summary>The 1996 American National Election Study: tab-separated, names in single quotes; whether the respondent voted Clinton (binary).</summary>
public sealed class VoteModel() : ImportedFixture("vote", "anes96/anes96.csv", "vote");

/// <summary>Travel mode choice between Sydney and Melbourne: semicolon-separated; the mode coded 1 to 4 (multiclass).</summary>
public sealed class TravelModel() : ImportedFixture("travel", "modechoice/modechoice.csv", "mode");

/// <summary>Fair's survey: 6,366 rows, a quoted header; the time spent in affairs (regression, mostly zero).</summary>
public sealed class FairModel() : ImportedFixture("fair", "fair/fair.csv", "affairs");

/// <summary>Greene's credit card data: 72 rows; whether the card holder owns their home (binary, 0/1).</summary>
public sealed class OwnRentModel() : ImportedFixture("ownrent", "ccard/ccard.csv", "OWNRENT");

/// <summary>Stanford heart transplants: 69 rows; survival time (regression) beside a 0/1 censoring code (a category).</summary>
public sealed class SurvivalModel() : ImportedFixture("survival", "heart/heart.csv", "survival");

/// <summary>The 1998 California STAR test: 303 school districts, 21 numeric features; the district's math total (regression).</summary>
public sealed class MathModel() : ImportedFixture("math", "star98/star98.csv", "MATHTOT");

/// <summary>The repository folder of an imported model: its files as the import writes them, once per test run.</summary>
public static class ImportedRepository
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<string>> s_roots = new(StringComparer.Ordinal);

    /// <summary>The root folder holding <paramref name="model"/>'s files.</summary>
    public static string For(ImportedModel model) => s_roots.GetOrAdd(model.Name, _ => new Lazy<string>(() => Write(model))).Value;

    private static string Write(ImportedModel model)
    {
        var root = Directory.CreateTempSubdirectory($"MlOps.Imported-{model.Name}-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        ModelImport.WriteModelFiles(model, ImportOptions.PathsIn(root, model.Name), FixtureRepository.Params(model.Task));
        return root;
    }
}

/// <summary>The testing kit's checks of every model, on a model imported from a public data file.</summary>
public abstract class ImportedModelTests<TModel> : ModelTests<TModel>
    where TModel : ImportedModel, new()
{
    protected override string Root => ImportedRepository.For((ImportedModel)Model);
}

public sealed class VoteModelTests : ImportedModelTests<VoteModel>;

public sealed class TravelModelTests : ImportedModelTests<TravelModel>;

public sealed class FairModelTests : ImportedModelTests<FairModel>;

public sealed class OwnRentModelTests : ImportedModelTests<OwnRentModel>;

public sealed class SurvivalModelTests : ImportedModelTests<SurvivalModel>;

public sealed class MathModelTests : ImportedModelTests<MathModel>;
