namespace Ml_Service.Training;

/// <summary>Command-line options of the training app. Paths are relative to the current directory.</summary>
public sealed record TrainingOptions
{
    public const string Usage = """
        Trains the model on the data, evaluates it, applies the quality gate and writes it to the output folder.

        Usage: dotnet run --project src/Ml-Service.Training -- [options]

        Options:
          --data <path>        training data CSV (default: data/churn.csv)
          --params <path>      parameters file (default: params.yaml)
          --output <dir>       where model.zip and manifest.json are written (default: models)
          --set <key=value>    override one parameter, e.g. --set seed=7 (repeatable)
          -h, --help           show this help
        """;

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
        for (var i = 0; i < args.Count; i++)
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
}
