namespace Ml_Service.Training;

/// <summary>Command-line options of the training app. Paths are relative to the current directory.</summary>
public sealed record TrainingOptions
{
    public const string Usage = """
        Validates the data, trains and evaluates the model, and applies the quality gate.

        Usage: dotnet run --project src/Ml-Service.Training -- [command] [options]

        Commands:
          train                validate the data, train, evaluate, gate, write model.zip and manifest.json (default)
          validate             validate the data against the input schema only
          evaluate             score the saved model on the held-out split, gate it, write metrics.json

        Options:
          --data <path>        training data CSV (default: data/churn.csv)
          --params <path>      parameters file (default: params.yaml)
          --output <dir>       model folder: model.zip, manifest.json, metrics.json (default: models)
          --set <key=value>    override one parameter, e.g. --set seed=7 (repeatable)
          -h, --help           show this help
        """;

    public TrainingCommand Command { get; init; } = TrainingCommand.Train;

    public string DataPath { get; init; } = Path.Combine("data", "churn.csv");

    public string ParamsPath { get; init; } = "params.yaml";

    public string OutputDirectory { get; init; } = "models";

    public IReadOnlyList<KeyValuePair<string, string>> Overrides { get; init; } = [];

    public bool ShowHelp { get; init; }

    public static TrainingOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new TrainingOptions();
        var overrides = new List<KeyValuePair<string, string>>();
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

            var value = i + 1 < args.Count
                ? args[++i]
                : throw new TrainingException($"Option '{arg}' needs a value.{Environment.NewLine}{Usage}");
            options = arg switch
            {
                "--data" => options with { DataPath = value },
                "--params" => options with { ParamsPath = value },
                "--output" => options with { OutputDirectory = value },
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

        return options with { Overrides = overrides };
    }

    private static TrainingCommand ParseCommand(string name) => name switch
    {
        "train" => TrainingCommand.Train,
        "validate" => TrainingCommand.Validate,
        "evaluate" => TrainingCommand.Evaluate,
        _ => throw new TrainingException($"Unknown command '{name}'; use train, validate or evaluate.{Environment.NewLine}{Usage}"),
    };
}

/// <summary>What one invocation of the training app does.</summary>
public enum TrainingCommand
{
    Train,
    Validate,
    Evaluate,
}
