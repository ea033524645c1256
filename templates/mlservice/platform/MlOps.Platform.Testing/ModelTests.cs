using System.Globalization;

namespace MlOps.Platform.Testing;

/// <summary>
/// The checks every model gets, whatever its task and data: derive one test class per model
/// (<c>public class ChurnModelTests : ModelTests&lt;ChurnModel&gt;;</c>) and add facts only for what is special to it.
/// They read the model's files as <c>make train</c> does (data, params, card, example request) and train it once
/// per test run; nothing here assumes a number of rows, a kind of feature, an order of rows or a range.
/// </summary>
/// <typeparam name="TModel">The model definition under test.</typeparam>
public abstract class ModelTests<TModel>
    where TModel : ModelDefinition, new()
{
    /// <summary>The definition under test: the catalog's instance when the model is in it, else a new one.</summary>
    protected virtual ModelDefinition Model { get; } = ModelCatalog.All.OfType<TModel>().FirstOrDefault() ?? new TModel();

    /// <summary>The repository the model's files are read from; <see cref="Repository.Root"/> unless overridden.</summary>
    protected virtual string Root => Repository.Root;

    /// <summary>The model trained on its data and params, once per test run.</summary>
    protected SharedTraining Trained => SharedModel.Of(Model, Root);

    /// <summary>The model's data rows as training reads them.</summary>
    protected IReadOnlyList<LabeledRow> Rows => TrainingData.Load(Model, Repository.DataPath(Model, Root));

    /// <summary>The definition is consistent: a valid name, unique columns, a canary for every feature within its rules.</summary>
    [Fact]
    public void Its_definition_is_consistent()
    {
        var act = Model.CheckConsistency;

        act.Should().NotThrow();
        Model.Name.Should().MatchRegex(ModelDefinition.NamePattern);
    }

    /// <summary>The data validates against the definition and has at least two outcomes; a classifier's data has every class.</summary>
    [Fact]
    public void Its_data_is_valid_and_has_every_outcome()
    {
        var rows = Rows;

        rows.Select(Model.LabelText).Distinct().Should().HaveCountGreaterThan(1);
        if (Model.Task == ModelTask.Multiclass)
        {
            rows.Select(r => r.Class).Distinct().Should().BeEquivalentTo(Model.Label.Classes, "the data has every class the definition names");
        }
    }

    /// <summary>A bad value in every column of one row is reported with that row and each column, and no other row.</summary>
    [Fact]
    public void A_bad_value_in_each_column_is_reported_with_its_row_and_column()
    {
        var (header, lines) = Head(3);
        var columns = Model.Features.Select(f => (f.Name, Bad: f is NumericFeature ? "abc" : "no-such-category"))
            .Append((Model.Label.Name, Bad: Model.Task == ModelTask.Regression ? "abc" : "not-a-label"))
            .TakeLast(40) // a report lists at most 50 problems
            .ToList();
        var cells = lines[2].Split(',');
        foreach (var (name, bad) in columns)
        {
            cells[Array.IndexOf(header, name)] = bad;
        }

        lines[2] = string.Join(',', cells);
        var act = () => TrainingData.Parse(Model, lines, "test.csv");

        var message = act.Should().Throw<TrainingException>().Which.Message;
        message.Should().Contain(string.Create(CultureInfo.InvariantCulture, $"{columns.Count} problem(s)")).And.NotContain("row 2,");
        foreach (var (name, _) in columns)
        {
            message.Should().Contain($"row 3, column {name}");
        }
    }

    /// <summary>Data without one of the model's columns is refused, naming the column.</summary>
    [Fact]
    public void A_missing_column_is_named()
    {
        var (header, lines) = Head(2);
        var dropped = Model.Features[^1].Name;
        var keep = Enumerable.Range(0, header.Length).Where(i => header[i] != dropped).ToArray();
        string Drop(string line) => string.Join(',', keep.Select(i => line.Split(',')[i]));

        var act = () => TrainingData.Parse(Model, [Drop(lines[0]), Drop(lines[1])], "test.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("lacks the column(s)").And.Contain(dropped);
    }

    /// <summary>A row with one value too many is reported with its row and both counts.</summary>
    [Fact]
    public void A_row_with_the_wrong_number_of_values_is_reported()
    {
        var (header, lines) = Head(2);

        var act = () => TrainingData.Parse(Model, [lines[0], lines[1] + ",1"], "test.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(
            string.Create(CultureInfo.InvariantCulture, $"row 2: has {header.Length + 1} values"));
    }

    /// <summary>Data whose label has one value cannot train.</summary>
    [Fact]
    public void Data_with_a_single_outcome_cannot_train()
    {
        var (_, lines) = Head(2);

        var act = () => TrainingData.Parse(Model, [lines[0], lines[1], lines[1]], "test.csv");

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("at least two");
    }

    /// <summary>
    /// The params name a trainer this repository has and its section (or, for a model made elsewhere, its kind), and
    /// exactly the gate of the model's task.
    /// </summary>
    [Fact]
    public void Its_params_name_an_available_trainer_and_the_gate_of_its_task()
    {
        var parameters = TrainingParams.Load(Repository.ParamsPath(Model, Root), []);

        parameters.Values.Keys.Where(k => k.StartsWith("quality_gate.", StringComparison.Ordinal))
            .Should().BeEquivalentTo(QualityGate.Keys(Model.Task), "the params file has exactly the gate of its task");
        if (!Model.Kind.TrainsHere)
        {
            parameters.Trainer.Should().Be(Model.Kind.Name, "a model made elsewhere is not trained here");
            return;
        }

        TrainerFactory.Available.Should().Contain(parameters.Trainer);
        parameters.Values.Keys.Where(k => k.StartsWith(parameters.Trainer + ".", StringComparison.Ordinal))
            .Should().NotBeEmpty("the params file has the section of its trainer");
        parameters.TestFraction.Should().BeInRange(0.05, 0.5);
    }

    /// <summary>The card has every section, one generated section after them, every feature (derived ones too) and the gated metric.</summary>
    [Fact]
    public void Its_card_has_every_section_every_feature_and_one_generated_section()
    {
        var card = File.ReadAllText(Repository.CardPath(Model, Root));

        foreach (var heading in ModelCard.Sections)
        {
            card.Should().Contain($"\n## {heading}\n", $"the model card needs a '{heading}' section");
        }

        card.Split(ModelCard.BeginMarker).Should().HaveCount(2, "exactly one generated section");
        card.IndexOf(ModelCard.EndMarker, StringComparison.Ordinal).Should().BeGreaterThan(card.IndexOf(ModelCard.BeginMarker, StringComparison.Ordinal));
        foreach (var feature in Model.Features.Select(f => f.Name).Concat(Model.DerivedFeatures.Select(f => f.Name)))
        {
            card.Should().Contain($"`{feature}`", "the card describes every feature of the model, derived ones included");
        }

        card.Should().Contain($"`{TaskMetrics.PrimaryMetric(Model.Task)}`", "the card explains the metric the gate is based on");
    }

    /// <summary>The canary and every instance of the example request validate and get a valid answer of the model's task.</summary>
    [Fact]
    public void Its_canary_and_example_validate_and_each_gets_a_valid_answer()
    {
        using var model = TrainedModel.Load(Trained.ModelPath, Model);
        var instances = Repository.ExampleInstances(Model, Root).Prepend(Model.Canary).ToList();

        instances.Should().HaveCountGreaterThan(1, "the example request has at least one instance");
        foreach (var instance in instances)
        {
            var errors = new List<FeatureError>();
            var row = Model.Validate(instance, errors);
            errors.Should().BeEmpty();

            var outcome = model.Score([row!]).Single();

            outcome.IsValid.Should().BeTrue($"{outcome} must be finite");
            if (outcome is MulticlassOutcome multiclass)
            {
                Model.Label.Classes.Should().Contain(multiclass.Label);
                multiclass.Probabilities.Should().HaveCount(Model.Label.Classes.Count).And.OnlyContain(p => p >= 0 && p <= 1);
                multiclass.Probabilities.Sum().Should().BeApproximately(1f, 1e-3f);
            }
            else if (outcome is BinaryOutcome binary)
            {
                binary.Probability.Should().BeInRange(0f, 1f);
            }
        }
    }

    /// <summary>Trained on its data with its params, the model is recorded as this model and passes its gate and its own rules.</summary>
    [Fact]
    public void Trained_on_its_data_it_passes_its_own_quality_gate()
    {
        var trained = Trained;
        var parameters = TrainingParams.Load(Repository.ParamsPath(Model, Root), []);

        QualityGate.Check(Model, trained.Manifest.Metrics, parameters).Should().BeEmpty();
        trained.Manifest.Metrics.Values.Should().OnlyContain(v => double.IsFinite(v), "every metric of the run is a number");
        (trained.Manifest.Model, trained.Manifest.Task).Should().Be((Model.Name, Model.Task));
    }

    /// <summary>The header and the first <paramref name="count"/> - 1 rows of the model's data file.</summary>
    private (string[] Header, string[] Lines) Head(int count)
    {
        var lines = File.ReadLines(Repository.DataPath(Model, Root)).Take(count).ToArray();
        lines.Should().HaveCount(count, $"the data file has at least {count - 1} rows");
        return (lines[0].Split(','), lines);
    }
}
