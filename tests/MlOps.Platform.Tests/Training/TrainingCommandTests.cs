namespace MlOps.Platform.Tests.Training;

/// <summary>The training app's commands, as `make data`, `make train` and `make evaluate` call them, per model.</summary>
public class TrainingCommandTests
{
    [Theory]
    [InlineData(new string[0], TrainingCommand.Train)]
    [InlineData(new[] { "train", "--set", "seed=7" }, TrainingCommand.Train)]
    [InlineData(new[] { "validate" }, TrainingCommand.Validate)]
    [InlineData(new[] { "evaluate", "--output", "elsewhere" }, TrainingCommand.Evaluate)]
    [InlineData(new[] { "runs" }, TrainingCommand.Runs)]
    [InlineData(new[] { "compare", "a", "b" }, TrainingCommand.Compare)]
    [InlineData(new[] { "promote", "20261124.063700.ab12" }, TrainingCommand.Promote)]
    [InlineData(new[] { "rollback" }, TrainingCommand.Rollback)]
    [InlineData(new[] { "model-card" }, TrainingCommand.ModelCard)]
    public void The_first_argument_names_the_command(string[] args, TrainingCommand expected) =>
        TrainingOptions.Parse(args).Command.Should().Be(expected);

    [Fact]
    public void An_unknown_command_is_an_error_that_lists_the_commands()
    {
        var act = () => TrainingOptions.Parse(["retrain"]);

        act.Should().Throw<TrainingException>().WithMessage("*'retrain'*train, validate, evaluate, runs, compare, promote, rollback, model-card or export-onnx*");
    }

    [Theory]
    [InlineData(new[] { "compare", "a" }, "compare needs two run ids")]
    [InlineData(new[] { "compare", "", "" }, "make runs-compare A=<run> B=<run>")]
    [InlineData(new[] { "promote" }, "make promote VERSION=<version>")]
    [InlineData(new[] { "rollback", "now" }, "'rollback' takes no arguments")]
    public void Missing_or_extra_arguments_are_an_error_that_shows_the_usage(string[] args, string expected)
    {
        var act = () => TrainingOptions.Parse(args);

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain(expected);
    }

    [Fact]
    public void Allow_regression_and_all_are_flags()
    {
        var options = TrainingOptions.Parse(["train", "--allow-regression", "--all", "--set", "seed=7"]);

        options.AllowRegression.Should().BeTrue();
        options.All.Should().BeTrue();
        options.Overrides.Should().ContainSingle();
        TrainingOptions.Parse(["train"]).AllowRegression.Should().BeFalse();
    }

    [Fact]
    public void Train_without_a_model_trains_every_model_in_name_order_and_the_other_commands_need_one_when_there_are_several()
    {
        var model = ModelCatalog.All[0];
        IReadOnlyList<ModelDefinition> several = [new StandInModel(), model];

        TrainingOptions.Parse(["train"]).SelectModels(several).Should().Equal(model.Name.CompareTo(StandInModel.ModelName) < 0
            ? [model, several[0]]
            : [several[0], model]);
        TrainingOptions.Parse(["train", "--model", model.Name]).SelectModels(several).Should().Equal(model);
        TrainingOptions.Parse(["runs"]).SelectModels([model]).Should().Equal([model], "a repository with one model needs no --model");

        var withoutModel = () => TrainingOptions.Parse(["runs"]).SelectModels(several);
        withoutModel.Should().Throw<TrainingException>().Which.Message.Should().Contain("--model").And.Contain(model.Name).And.Contain(StandInModel.ModelName);
    }

    [Fact]
    public void An_unknown_model_is_an_error_that_lists_the_models()
    {
        var result = Run(["validate", "--model", "nosuchmodel"]);

        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain("Unknown model 'nosuchmodel'");
        foreach (var model in ModelCatalog.All)
        {
            result.Error.Should().Contain(model.Name);
        }
    }

    [Fact]
    public void Paths_of_one_model_cannot_be_given_when_training_several()
    {
        var act = () => TrainingOptions.Parse(["train", "--data", "d.csv"]).SelectModels([new StandInModel(), ModelCatalog.All[0]]);

        act.Should().Throw<TrainingException>().Which.Message.Should().Contain("--data").And.Contain("--model");
    }

    [Fact]
    public void Train_all_trains_every_model_even_after_one_fails_and_exits_non_zero_with_a_summary()
    {
        var root = Directory.CreateTempSubdirectory("MlOps.Platform.Tests-all-").FullName;
        try
        {
            IReadOnlyList<ModelDefinition> catalog = [new StandInModel(), .. ModelCatalog.All];
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exitCode = TrainingApp.Run(["train", "--root", Repository.Root, "--models", root], catalog, output, error);

            exitCode.Should().Be(1, $"{output}{error}");
            error.ToString().Should().Contain($"model {StandInModel.ModelName}:").And.Contain("does not exist");
            var summary = output.ToString()[output.ToString().LastIndexOf("Trained", StringComparison.Ordinal)..];
            summary.Should().StartWith($"Trained {catalog.Count} model(s):");
            summary.Should().MatchRegex($@"(?m)^\s+{StandInModel.ModelName}\s+failed\s");
            foreach (var model in ModelCatalog.All)
            {
                summary.Should().MatchRegex($@"(?m)^\s+{model.Name}\s+passed\s");
                File.Exists(model.ModelPath(root)).Should().BeTrue($"{model.Name} is trained whatever happened to the others");
                ModelManifest.Load(Path.Combine(model.ArtifactsFolder(root), ModelManifest.FileName))!.Model.Should().Be(model.Name);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Validate_reports_the_rows_it_checked(string name)
    {
        var model = CatalogModels.Get(name);
        using var log = new StringWriter();

        var rows = TrainingRun.Validate(new TrainingOptions { Root = Repository.Root }.For(model), log);

        rows.Should().NotBeEmpty();
        log.ToString().Should().Contain($"{rows.Count} valid rows for model {name}").And.Contain(model.Label.Name);
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Evaluate_scores_the_saved_model_on_the_held_out_split_exactly_as_training_did(string name)
    {
        var trained = SharedModel.Of(name);
        using var models = ModelsFolder.CopyOf(trained);

        var metrics = TrainingRun.Evaluate(models.Options(), TextWriter.Null);

        metrics.Should().Equal(trained.Manifest.Metrics, "evaluate must use the same seeded split as training");
        File.Exists(Path.Combine(models.Path, TrainingRun.EvaluationFileName)).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Evaluate_without_a_model_fails_with_a_clear_message(string name)
    {
        using var models = ModelsFolder.Empty(CatalogModels.Get(name));

        var act = () => TrainingRun.Evaluate(models.Options(), TextWriter.Null);

        act.Should().Throw<TrainingException>().WithMessage("*does not exist*make train*");
    }

    private static AppResult Run(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = TrainingApp.Run([.. args, "--root", Repository.Root], output, error);
        return new AppResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>A model of no repository: its data does not exist, so training it fails.</summary>
    private sealed class StandInModel : ModelDefinition
    {
        public const string ModelName = "standin";

        public override string Name => ModelName;

        public override ModelTask Task => ModelTask.Binary;

        public override string Description => "Stands in for a second model in tests of the command line.";

        public override IReadOnlyList<FeatureColumn> Features { get; } = [new NumericFeature("x", Min: 0, Max: 1, WholeNumber: false)];

        public override LabelColumn Label { get; } = LabelColumn.Binary("y");

        public override IReadOnlyDictionary<string, RawValue> Canary { get; } =
            new Dictionary<string, RawValue>(StringComparer.Ordinal) { ["x"] = RawValue.Of(0.5) };
    }
}
