namespace MlOps.Platform.Training;

/// <summary>
/// Command-line options of the training app. Paths are relative to the current directory; those not given
/// follow the conventions of the model they are resolved for (<see cref="For"/>).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>The help text, naming the training project of the application that runs it.</summary>
    public static string Usage => UsageText.Replace("{project}", TrainingProject, StringComparison.Ordinal);

    /// <summary>The training project of the application that runs: <c>Acme.Churn.Training</c>, or a placeholder.</summary>
    internal static string TrainingProject =>
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name is { } name && name.EndsWith(".Training", StringComparison.Ordinal)
            ? name
            : "<repository>.Training";

    private const string UsageText = """
        Validates the data, trains and evaluates the models of this repository, applies their quality
        gates, and manages the registered models and the records of training runs.

        Usage: dotnet run --project src/{project} -- [command] [arguments] [options]

        Commands:
          train                validate the data, train, evaluate, gate; register the model in
                               models/<name>/registry/<version>/, serve it (model.zip, manifest.json),
                               write metrics.json and the run record runs/<run-id>.json (default);
                               without --model every model of the repository, one after the other
          validate             validate the data against the model's input schema only
          evaluate             score the serving model on the held-out split, gate it, write evaluation.json
          runs                 list the training runs, newest first
          compare <A> <B>      show the parameters and metrics that differ between runs A and B
          promote <version>    serve a registered version
          rollback             serve again the version promoted before the current one
          model-card           rewrite the generated section of the model card from the serving manifest
          export-onnx [--file <path>]
                               convert the serving model to ONNX with ML.NET's converter, score the data
                               through both and write the graph only when they agree (default file:
                               model.onnx in the model's folder); needs MlOps.Platform.Onnx (make export-onnx adds it)
          import --name N --data F --label C [--task T] [--positive V] [--check]
                               profile the CSV F and write model N from it (make add-model DATA=F LABEL=C);
                               --check prints the inferred schema and writes nothing

        Options:
          --model <name>       the model to work on (required by every command but train when the
                               repository has more than one model)
          --all                train every model (what train does without --model)
          --data <path>        training data CSV (default: data/<name>.csv)
          --params <path>      parameters file (default: params/<name>.yaml)
          --root <dir>         repository root the default paths are relative to (default: the current directory)
          --models <dir>       folder of the models' artifacts, one subfolder per model (default: <root>/models)
          --output <dir>       the model's own folder: serving model, registry/, runs/ (default: models/<name>)
          --file <path>        the .onnx file export-onnx writes (default: <output>/model.onnx)
          --set <key=value>    override one parameter, e.g. --set seed=7 (repeatable)
          --allow-regression   accept a model whose primary metric (AUC, macro-F1 or R²) is worse than
                               the serving model's or the champion's by more than quality_gate.max_regression
          --serve              serve a model trained with --set even when it does not beat the serving
                               one (without it such an experiment is registered, and served only if better)
          --card <path>        model card to update (default: docs/models/<name>.md)
          --champion <path>    the champion record promote writes and train compares with
                               (default: champions/<name>.json)
          -h, --help           show this help
        """;

    /// <summary>The command to run; <see cref="TrainingCommand.Train"/> when none is given.</summary>
    public TrainingCommand Command { get; init; } = TrainingCommand.Train;

    /// <summary>The model named by <c>--model</c>; null to take the only model, or every model for train.</summary>
    public string? ModelName { get; init; }

    /// <summary><c>--all</c>: train every model of the catalog.</summary>
    public bool All { get; init; }

    /// <summary>The model the paths below belong to; set by <see cref="For"/>.</summary>
    public ModelDefinition? Model { get; init; }

    /// <summary>Training data; null until <see cref="For"/> fills in the model's own file.</summary>
    public string? DataPath { get; init; }

    /// <summary>Parameters file; null until <see cref="For"/> fills in the model's own file.</summary>
    public string? ParamsPath { get; init; }

    /// <summary>The repository root that the model's default paths (data, params, card) are relative to.</summary>
    public string Root { get; init; } = ".";

    /// <summary>The folder that holds one artifacts folder per model.</summary>
    public string ModelsRoot { get; init; } = "models";

    /// <summary>The model's artifacts folder; null until <see cref="For"/> fills in <c>&lt;models&gt;/&lt;name&gt;</c>.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>The model card; null until <see cref="For"/> fills in the model's own card.</summary>
    public string? ModelCardPath { get; init; }

    /// <summary>
    /// The file export-onnx writes (<c>--file</c>); null for <c>model.onnx</c> in the model's folder (<see cref="ExportFile"/>).
    /// </summary>
    public string? ExportPath { get; init; }

    /// <summary>The parameters overridden with <c>--set key=value</c>, in command-line order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Overrides { get; init; } = [];

    /// <summary>Accept a model that is worse than the serving one by more than the allowed regression.</summary>
    public bool AllowRegression { get; init; }

    /// <summary>Serve a model trained with overrides even when its primary metric does not beat the serving model's.</summary>
    public bool ServeExperiment { get; init; }

    /// <summary>
    /// A Markdown file the outcome of each training run is appended to: the job summary of GitHub Actions
    /// (<c>GITHUB_STEP_SUMMARY</c>); null to write none.
    /// </summary>
    public string? SummaryPath { get; init; }

    /// <summary>The champion record; null until <see cref="For"/> fills in the model's own.</summary>
    public string? ChampionPath { get; init; }

    /// <summary>The champion record the options name, or the model's own.</summary>
    public string Champion => ChampionPath ?? throw NotResolved();

    /// <summary>Arguments after the command that are not options: the runs of compare, the version of promote.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <c>-h</c> or <c>--help</c>: print the usage and do nothing else.
    public bool ShowHelp { get; init; }

    /// <summary>The data file the options name, or the model's own.</summary>
    public string Data => DataPath ?? throw NotResolved();

    /// <summary>The params file the options name, or the model's own.</summary>
    public string Params => ParamsPath ?? throw NotResolved();

    /// <summary>The artifacts folder the options name, or the model's own.</summary>
    public string Output => OutputDirectory ?? throw NotResolved();

    /// <summary>The model card the options name, or the model's own.</summary>
    public string Card => ModelCardPath ?? throw NotResolved();

    /// <summary>The file export-onnx writes: the one the options name, or <c>model.onnx</c> in the model's folder.</summary>
    public string ExportFile => ExportPath ?? Path.Combine(Output, ModelExportCommand.FileName);

    /// <summary>The definition the options are resolved for.</summary>
    public ModelDefinition Definition => Model ?? throw NotResolved();

    /// <summary>
    /// These options for <paramref name="model"/>: every path not given on the command line follows the
    /// model's conventions (relative to the current directory, the repository root).
    /// </summary>
    public TrainingOptions For(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return this with
        {
            Model = model,
            DataPath = DataPath ?? Below(model.DataPath),
            ParamsPath = ParamsPath ?? Below(model.ParamsPath),
            OutputDirectory = OutputDirectory ?? model.ArtifactsFolder(Below(ModelsRoot)),
            ModelCardPath = ModelCardPath ?? Below(model.ModelCardPath),
            ChampionPath = ChampionPath ?? Below(model.ChampionPath),
        };
    }

    private string Below(string relative) => Root == "." ? relative : Path.Combine(Root, relative);

    /// <summary>
    /// The models the command works on: the one named by <c>--model</c>; for train without it every model
    /// of <paramref name="catalog"/> in name order; for the other commands the only model.
    /// </summary>
    public IReadOnlyList<ModelDefinition> SelectModels(IReadOnlyList<ModelDefinition> catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var names = string.Join(", ", catalog.Select(m => m.Name));
        if (catalog.Count == 0)
        {
            throw new TrainingException("This repository defines no model: add one with make add-model NAME=<name> TASK=<task>.");
        }

        if (ModelName is not null)
        {
            if (All)
            {
                throw new TrainingException("--model and --all exclude each other: train one model or all of them.");
            }

            return [catalog.FirstOrDefault(m => m.Name == ModelName) ?? throw new TrainingException(
                $"Unknown model '{ModelName}'; this repository has: {names}.")];
        }

        if (Command == TrainingCommand.Train && (All || catalog.Count > 1))
        {
            var single = new[] { ("--data", DataPath), ("--params", ParamsPath), ("--output", OutputDirectory), ("--card", ModelCardPath), ("--champion", ChampionPath) }
                .Where(o => o.Item2 is not null)
                .Select(o => o.Item1)
                .ToList();
            if (single.Count > 0 && catalog.Count > 1)
            {
                throw new TrainingException(
                    $"{string.Join(", ", single)} belong to one model; name it with --model ({names}).");
            }

            return [.. catalog.OrderBy(m => m.Name, StringComparer.Ordinal)];
        }

        if (All)
        {
            throw new TrainingException($"--all only applies to train; name the model with --model ({names}).");
        }

        return catalog.Count == 1
            ? catalog
            : throw new TrainingException(
                $"This repository has {catalog.Count} models ({names}); say which with --model <name>, e.g. --model {catalog[0].Name}.");
    }

    /// <summary>Parses the command line: an optional command first, then options and arguments; a <see cref="TrainingException"/> with the usage for an unknown command or option, a missing value or the wrong arguments.</summary>
    public static TrainingOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new TrainingOptions();
        var overrides = new List<KeyValuePair<string, string>>();
        var arguments = new List<string>();
        var first = 0;
        if (args.Count > 0 && !args[0].StartsWith('-'))
        {
            options = options with { Command = ParseCommand(args[0]) };
            first = 1;
        }

        for (var i = first; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                return options with { ShowHelp = true };
            }

            if (arg == "--allow-regression")
            {
                options = options with { AllowRegression = true };
                continue;
            }

            if (arg == "--serve")
            {
                options = options with { ServeExperiment = true };
                continue;
            }

            if (arg == "--all")
            {
                options = options with { All = true };
                continue;
            }

            if (!arg.StartsWith('-'))
            {
                arguments.Add(arg);
                continue;
            }

            var value = i + 1 < args.Count
                ? args[++i]
                : throw new TrainingException($"Option '{arg}' needs a value.{Environment.NewLine}{Usage}");
            options = arg switch
            {
                "--model" => options with { ModelName = value },
                "--data" => options with { DataPath = value },
                "--params" => options with { ParamsPath = value },
                "--root" => options with { Root = value },
                "--models" => options with { ModelsRoot = value },
                "--file" when options.Command == TrainingCommand.ExportOnnx => options with { ExportPath = value },
                "--file" => throw new TrainingException($"--file names the file export-onnx writes; '{NameOf(options.Command)}' writes none."),
                "--output" => options with { OutputDirectory = value },
                "--card" => options with { ModelCardPath = value },
                "--champion" => options with { ChampionPath = value },
                "--set" => options,
                _ => throw new TrainingException($"Unknown option '{arg}'.{Environment.NewLine}{Usage}"),
            };
            if (arg == "--set")
            {
                var parts = value.Split('=', 2);
                overrides.Add(parts.Length == 2 && parts[0].Length > 0
                    ? KeyValuePair.Create(parts[0], parts[1])
                    : throw new TrainingException($"--set expects key=value, got '{value}'."));
            }
        }

        CheckArguments(options.Command, arguments);
        return options with { Overrides = overrides, Arguments = arguments };
    }

    private static void CheckArguments(TrainingCommand command, List<string> arguments)
    {
        var (expected, usage) = command switch
        {
            TrainingCommand.Compare => (2, "compare needs two run ids: compare <A> <B> (make runs-compare A=<run> B=<run>); make runs lists them."),
            TrainingCommand.Promote => (1, "promote needs the version to serve: promote <version> (make promote VERSION=<version>); make runs lists the registered versions."),
            _ => (0, $"'{NameOf(command)}' takes no arguments."),
        };
        if (arguments.Count != expected || arguments.Any(string.IsNullOrWhiteSpace))
        {
            var given = arguments.Count == 0 ? "none" : string.Join(" ", arguments.Select(a => $"'{a}'"));
            throw new TrainingException($"{usage} Got: {given}.");
        }
    }

    /// <summary>The command names of the command line, in the order the usage lists them.</summary>
    public static IReadOnlyList<KeyValuePair<string, TrainingCommand>> Commands { get; } =
    [
        new("train", TrainingCommand.Train),
        new("validate", TrainingCommand.Validate),
        new("evaluate", TrainingCommand.Evaluate),
        new("runs", TrainingCommand.Runs),
        new("compare", TrainingCommand.Compare),
        new("promote", TrainingCommand.Promote),
        new("rollback", TrainingCommand.Rollback),
        new("model-card", TrainingCommand.ModelCard),
        new("export-onnx", TrainingCommand.ExportOnnx),
    ];

    private static TrainingCommand ParseCommand(string name)
    {
        foreach (var (known, command) in Commands)
        {
            if (known == name)
            {
                return command;
            }
        }

        var names = Commands.Select(c => c.Key).ToArray();
        throw new TrainingException(
            $"Unknown command '{name}'; use {string.Join(", ", names[..^1])} or {names[^1]}.{Environment.NewLine}{Usage}");
    }

    private static string NameOf(TrainingCommand command) => Commands.First(c => c.Value == command).Key;

    private static TrainingException NotResolved() =>
        new("The options are not resolved for a model yet; call For(model) first.");
}

/// <summary>What one invocation of the training app does.</summary>
public enum TrainingCommand
{
    /// <summary>Validate the data, train, evaluate and gate; register and serve the model (the default).</summary>
    Train,
    /// <summary>Validate the data against the model's input schema only.</summary>
    Validate,
    /// <summary>Score the serving model on the held-out split and gate it.</summary>
    Evaluate,
    /// <summary>List the training runs, newest first.</summary>
    Runs,
    /// <summary>Show the parameters and metrics that differ between two runs.</summary>
    Compare,
    /// <summary>Serve a registered version.</summary>
    Promote,
    /// <summary>Serve again the version promoted before the current one.</summary>
    Rollback,
    /// <summary>Rewrite the generated section of the model card from the serving manifest.</summary>
    ModelCard,
    /// <summary>Export the serving model to ONNX, checked to score the data as it does.</summary>
    ExportOnnx,
}
