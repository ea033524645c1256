namespace MlOps.Platform.Training;

/// <summary>
/// Options of the <c>import</c> command (what <c>make add-model ... DATA=...</c> runs):
/// <c>import --name NAME --data FILE.csv --label COLUMN [--task binary|multiclass|regression] [--positive VALUE] [--onnx FILE.onnx] [--root DIR] [--check]</c>.
/// With <c>--onnx</c> the model is the graph, trained elsewhere, and the data is its evaluation data.
/// </summary>
public sealed partial record ImportOptions(string Name, string Data, string Label, ModelTask? Task, string? Positive, string Root, bool CheckOnly)
{
    /// <summary>The usage line of the command.</summary>
    public const string Usage = "usage: import --name NAME --data FILE.csv --label COLUMN [--task binary|multiclass|regression] [--positive VALUE] [--onnx FILE.onnx] [--root DIR] [--check]";

    /// <summary>An ONNX graph trained elsewhere that the model serves (<c>--onnx</c>); null for a model trained here from the data.</summary>
    public string? Onnx { get; init; }

    /// <summary>The files the import writes: the repository's conventional places for the model <see cref="Name"/>.</summary>
    public ModelImport.Paths Files
    {
        get
        {
            var type = ModelImport.TypeName(Name);
            return PathsIn(Root, Name) with
            {
                Code = Path.Combine(Project(Root, "src", ".Model"), "Models", $"{type}.cs"),
                Tests = Path.Combine(Project(Root, "tests", ".Tests"), "Models", $"{type}Tests.cs"),
            };
        }
    }

    /// <summary>Where the data, params, card and example request of model <paramref name="name"/> live under <paramref name="root"/> (no code or tests).</summary>
    public static ModelImport.Paths PathsIn(string root, string name) => new(
        Path.Combine(root, "data", $"{name}.csv"),
        Path.Combine(root, "params", $"{name}.yaml"),
        Path.Combine(root, "docs", "models", $"{name}.md"),
        Path.Combine(root, "docs", "examples", $"{name}.json"),
        string.Empty,
        string.Empty);

    /// <summary>Parses the arguments after <c>import</c>; a <see cref="TrainingException"/> names what is wrong.</summary>
    public static ImportOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? name = null, data = null, label = null, positive = null, onnx = null;
        var root = Directory.GetCurrentDirectory();
        ModelTask? task = null;
        var check = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count && args[i + 1].Length > 0 ? args[++i] : throw new TrainingException($"{args[i]} needs a value. {Usage}");
            switch (args[i])
            {
                case "--name": name = Value(); break;
                case "--data": data = Value(); break;
                case "--label": label = Value(); break;
                case "--positive": positive = Value(); break;
                case "--onnx": onnx = Value(); break;
                case "--root": root = Value(); break;
                case "--check": check = true; break;
                case "--task":
                    var text = Value();
                    task = ModelTasks.TryParse(text, out var parsed) ? parsed
                        : throw new TrainingException($"unknown task '{text}': use one of {string.Join(", ", ModelTasks.All.Select(t => t.ToText()))}.");
                    break;
                default: throw new TrainingException($"unknown option '{args[i]}'. {Usage}");
            }
        }

        if (name is null || data is null || label is null)
        {
            throw new TrainingException($"give the model's name, the data and the label column. {Usage}");
        }

        // The rule of make add-model, checked here too, as the name becomes a file name, a C# type and a route.
        if (!ModelName().IsMatch(name))
        {
            throw new TrainingException($"'{name}' is not a valid model name: use one lowercase word, a letter then 1 to 29 letters or digits (e.g. fraud, demand2).");
        }

        if (onnx is not null && !File.Exists(onnx))
        {
            throw new TrainingException($"--onnx '{onnx}' is not a file.");
        }

        return new ImportOptions(name, data, label, task, positive, root, check) { Onnx = onnx };
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-z0-9]{1,29}$")]
    private static partial System.Text.RegularExpressions.Regex ModelName();

    private static string Project(string root, string folder, string suffix)
    {
        var projects = Directory.Exists(Path.Combine(root, folder))
            ? Directory.GetDirectories(Path.Combine(root, folder), "*" + suffix)
            : [];
        return projects.Length == 1 ? projects[0]
            : throw new TrainingException($"{Path.Combine(root, folder)} should hold one *{suffix} project, not {projects.Length}: run the import from the repository's root.");
    }
}
