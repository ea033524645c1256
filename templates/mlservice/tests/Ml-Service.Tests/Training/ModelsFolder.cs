namespace Ml_Service.Tests.Training;

/// <summary>
/// A temporary models folder (serving model, registry/, runs/) for one test, deleted afterwards: tests
/// never touch the repository's models/.
/// </summary>
internal sealed class ModelsFolder : IDisposable
{
    private ModelsFolder(string path) => Path = path;

    public string Path { get; }

    public string ServingModel => System.IO.Path.Combine(Path, TrainedModel.FileName);

    public ModelManifest? Serving => ModelManifest.Load(System.IO.Path.Combine(Path, ModelManifest.FileName));

    public static ModelsFolder Empty() => new(Directory.CreateTempSubdirectory("Ml-Service.Tests-models-").FullName);

    /// <summary>A copy of <paramref name="source"/>, e.g. of <see cref="SharedModel.Folder"/> where one model is registered and served.</summary>
    public static ModelsFolder CopyOf(string source)
    {
        var folder = Empty();
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(folder.Path, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return folder;
    }

    /// <summary>Options of a training run on the repository's data and params.yaml into this folder.</summary>
    public TrainingOptions Options(params (string Key, string Value)[] overrides) => new()
    {
        DataPath = Repository.DataPath,
        ParamsPath = Repository.ParamsPath,
        OutputDirectory = Path,
        Overrides = [.. overrides.Select(o => KeyValuePair.Create(o.Key, o.Value))],
    };

    public ModelManifest Train(params (string Key, string Value)[] overrides) => TrainingRun.Execute(Options(overrides), TextWriter.Null);

    /// <summary>
    /// Registers and serves a second version (another seed), whatever its quality: the gate's thresholds are
    /// lowered and a regression is allowed, for tests about the registry rather than the gate.
    /// </summary>
    public string TrainAnotherVersion()
    {
        var result = Run(
            "train", "--set", "seed=7", "--set", "quality_gate.min_auc=0.5", "--set", "quality_gate.min_accuracy_gain=-1", "--allow-regression");
        result.ExitCode.Should().Be(0, result.ToString());
        return Serving!.Version;
    }

    /// <summary>The training app's command line on this folder and the repository's data and params: exit code and what it printed.</summary>
    public AppResult Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = TrainingApp.Run([.. args, "--data", Repository.DataPath, "--params", Repository.ParamsPath, "--output", Path], output, error);
        return new AppResult(exitCode, output.ToString(), error.ToString());
    }

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

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Exit code and output of one command of the training app.</summary>
internal sealed record AppResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}{Output}{Error}";
}
