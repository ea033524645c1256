namespace MlOps.Platform.Testing;

/// <summary>
/// A temporary folder of one model's artifacts (serving model, registry/, runs/) for one test, deleted
/// afterwards: tests never touch the repository's models/.
/// </summary>
public sealed class ModelsFolder : IDisposable
{
    private ModelsFolder(ModelDefinition model, string path)
    {
        Model = model;
        Path = path;
    }

    /// <summary>The model whose artifacts the folder holds.</summary>
    public ModelDefinition Model { get; }

    /// <summary>The folder's full path: the output folder of its training runs and commands.</summary>
    public string Path { get; }

    /// <summary>The serving model file, <c>&lt;folder&gt;/model.zip</c> (whether or not it exists).</summary>
    public string ServingModel => System.IO.Path.Combine(Path, TrainedModel.FileName);

    /// <summary>The manifest of the served version, read from the folder on each call; null when none is served.</summary>
    public ModelManifest? Serving => ModelManifest.Load(System.IO.Path.Combine(Path, ModelManifest.FileName));

    /// <summary>A new, empty temporary folder for <paramref name="model"/>.</summary>
    public static ModelsFolder Empty(ModelDefinition model) =>
        new(model, Directory.CreateTempSubdirectory("MlOps.Tests-models-").FullName);

    /// <summary>A copy of the folder of a <see cref="SharedModel"/>, where one version is registered and served.</summary>
    public static ModelsFolder CopyOf(SharedTraining trained)
    {
        ArgumentNullException.ThrowIfNull(trained);
        var folder = Empty(trained.Model);
        foreach (var file in Directory.EnumerateFiles(trained.Folder, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(folder.Path, System.IO.Path.GetRelativePath(trained.Folder, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return folder;
    }

    /// <summary>Options of a training run of the model on the repository's data and params into this folder.</summary>
    public TrainingOptions Options(params (string Key, string Value)[] overrides) => new TrainingOptions
    {
        Root = Repository.Root,
        OutputDirectory = Path,
        ChampionPath = ChampionPath,
        Overrides = [.. overrides.Select(o => KeyValuePair.Create(o.Key, o.Value))],
    }.For(Model);

    /// <summary>Trains the model into this folder on the repository's data and params with <paramref name="overrides"/>, without a log; returns the manifest of the new version, or throws <see cref="TrainingException"/> on bad data or params or a refusal of the gate.</summary>
    public ModelManifest Train(params (string Key, string Value)[] overrides) => TrainingRun.Execute(Options(overrides), TextWriter.Null);

    /// <summary>
    /// Registers and serves a second version (another seed), whatever its quality: the gate's thresholds are
    /// lowered and a regression is allowed, for tests about the registry rather than the gate.
    /// </summary>
    public string TrainAnotherVersion()
    {
        var result = Run(["train", "--set", "seed=7", .. LenientThresholds(Model), "--allow-regression"]);
        result.ExitCode.Should().Be(0, result.ToString());
        return Serving!.Version;
    }

    /// <summary>
    /// The training app's command line on this model and folder, with the repository's data and params:
    /// exit code and what it printed.
    /// </summary>
    public AppResult Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        // The champion record lives in the folder too: a test's promotions never touch the repository's champions/.
        var exitCode = TrainingApp.Run(
            [.. args, "--model", Model.Name, "--root", Repository.Root, "--output", Path, "--champion", ChampionPath], output, error);
        return new AppResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The champion record that promote and rollback write for this folder: <c>champion.json</c> in it.</summary>
    public string ChampionPath => System.IO.Path.Combine(Path, "champion.json");

    /// <summary>The run records of this folder's <c>runs/</c>, newest first.</summary>
    public IReadOnlyList<RunRecord> Runs => RunLog.List(Path);

    /// <summary>
    /// Every file below the folder with its bytes, except those whose relative path starts with one of
    /// <paramref name="except"/>: to prove that a refused command changed nothing.
    /// </summary>
    public Dictionary<string, string> Snapshot(params string[] except) =>
        Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(Path, f))
            .Where(f => !except.Any(e => f.StartsWith(e, StringComparison.Ordinal)))
            .ToDictionary(f => f, f => Convert.ToBase64String(File.ReadAllBytes(System.IO.Path.Combine(Path, f))), StringComparer.Ordinal);

    /// <summary>
    /// <c>--set</c> arguments that lower the task's thresholds so far that only the comparison with the
    /// serving model can refuse a model.
    /// </summary>
    public static string[] LenientThresholds(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return
        [
            .. model.Task.Kind().GateKeys.Where(key => key != "quality_gate.max_regression").SelectMany(key => new[] { "--set", $"{key}=-1000" }),
        ];
    }

    /// <summary>An override of the task's minimum primary metric that no model can reach, so the gate refuses.</summary>
    public static (string Key, string Value) UnreachableThreshold(ModelDefinition model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ($"quality_gate.min_{TaskMetrics.PrimaryMetric(model.Task)}", "0.999");
    }

    /// <summary>Deletes the folder and every artifact in it.</summary>
    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Exit code and output of one command of the training app.</summary>
public sealed record AppResult(int ExitCode, string Output, string Error)
{
    /// <summary>The exit code, then the output and the error, for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}{Output}{Error}";
}

/// <summary>The models of the catalog, as data of theories that run once per model.</summary>
public static class CatalogModels
{
    /// <summary>The name of every model of the catalog, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var model in ModelCatalog.All)
            {
                names.Add(model.Name);
            }

            return names;
        }
    }

    /// <summary>The catalog's model named <paramref name="name"/>; throws <see cref="ArgumentException"/> when there is none.</summary>
    public static ModelDefinition Get(string name) =>
        ModelCatalog.Find(name) ?? throw new ArgumentException($"No model '{name}' in the catalog.", nameof(name));
}
