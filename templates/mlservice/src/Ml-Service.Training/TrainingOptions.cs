namespace Ml_Service.Training;

/// <summary>Command-line options of the training app. Paths are relative to the current directory.</summary>
public sealed record TrainingOptions
{
    public const string Usage = """
        Validates the data, trains and evaluates the model, applies the quality gate, and manages the
        registered models and the records of training runs.

        Usage: dotnet run --project src/Ml-Service.Training -- [command] [arguments] [options]

        Commands:
          train                validate the data, train, evaluate, gate; register the model in
                               registry/<version>/, serve it (model.zip, manifest.json), write
                               metrics.json and the run record runs/<run-id>.json (default)
          validate             validate the data against the input schema only
          evaluate             score the serving model on the held-out split, gate it, write evaluation.json
          runs                 list the training runs, newest first
          compare <A> <B>      show the parameters and metrics that differ between runs A and B
          promote <version>    serve a registered version
          rollback             serve again the version promoted before the current one
          model-card           rewrite the generated section of the model card from the serving manifest

        Options:
          --data <path>        training data CSV (default: data/churn.csv)
          --params <path>      parameters file (default: params.yaml)
          --output <dir>       model folder: serving model, registry/, runs/ (default: models)
          --set <key=value>    override one parameter, e.g. --set seed=7 (repeatable)
          --allow-regression   accept a model whose AUC is worse than the serving model's by more
                               than quality_gate.max_regression
          --card <path>        model card to update (default: docs/MODEL_CARD.md)
          -h, --help           show this help
        """;

    public TrainingCommand Command { get; init; } = TrainingCommand.Train;

    public string DataPath { get; init; } = Path.Combine("data", "churn.csv");

    public string ParamsPath { get; init; } = "params.yaml";

    public string OutputDirectory { get; init; } = "models";

    public string ModelCardPath { get; init; } = Path.Combine("docs", "MODEL_CARD.md");

    public IReadOnlyList<KeyValuePair<string, string>> Overrides { get; init; } = [];

    /// <summary>Accept a model that is worse than the serving one by more than the allowed regression.</summary>
    public bool AllowRegression { get; init; }

    /// <summary>Arguments after the command that are not options: the runs of compare, the version of promote.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public bool ShowHelp { get; init; }

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
                "--data" => options with { DataPath = value },
                "--params" => options with { ParamsPath = value },
                "--output" => options with { OutputDirectory = value },
                "--card" => options with { ModelCardPath = value },
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
}

/// <summary>What one invocation of the training app does.</summary>
public enum TrainingCommand
{
    Train,
    Validate,
    Evaluate,
    Runs,
    Compare,
    Promote,
    Rollback,
    ModelCard,
}
