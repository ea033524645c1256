using System.Globalization;

namespace MlOps.Platform.Training;

/// <summary>
/// The records of a model's training runs in <c>models/&lt;name&gt;/runs/</c>: writing one per run, listing
/// them and comparing two. Every method takes the model's folder.
/// </summary>
public static class RunLog
{
    /// <summary>The name of the run records folder inside the model's folder.</summary>
    public const string FolderName = "runs";

    /// <summary>The run records folder of the model: <c>&lt;modelsDirectory&gt;/runs</c>.</summary>
    public static string Folder(string modelsDirectory) => Path.Combine(modelsDirectory, FolderName);

    /// <summary>The record file of run <paramref name="runId"/>: <c>runs/&lt;run-id&gt;.json</c>.</summary>
    public static string PathOf(string modelsDirectory, string runId) => Path.Combine(Folder(modelsDirectory), runId + ".json");

    /// <summary>
    /// A run id no run and no registered version in <paramref name="modelsDirectory"/> has yet, sorting after
    /// every id taken in the same second, so runs and versions list in the order they were made.
    /// </summary>
    public static string NewRunId(string modelsDirectory, DateTimeOffset startedAt)
    {
        var id = Provenance.NewId(startedAt, '-');
        var second = id[..^4];
        var taken = IdsTakenIn(modelsDirectory, second);
        if (taken.Count == 0)
        {
            return id;
        }

        var next = taken.Max() + 1;
        return next <= 0xffff
            ? second + next.ToString("x4", CultureInfo.InvariantCulture)
            : throw new TrainingException($"More than 65,535 runs of this model started in the second {second}; wait a second and train again.");
    }

    // The numeric suffixes of run ids and versions in the model's folder that begin with `second`.
    private static List<int> IdsTakenIn(string modelsDirectory, string second)
    {
        var runs = Directory.Exists(Folder(modelsDirectory))
            ? Directory.EnumerateFiles(Folder(modelsDirectory), second + "*.json").Select(Path.GetFileNameWithoutExtension)
            : [];
        var versions = Directory.Exists(ModelRegistry.Folder(modelsDirectory))
            ? Directory.EnumerateDirectories(ModelRegistry.Folder(modelsDirectory), VersionOf(second) + "*").Select(Path.GetFileName)
            : [];
        return
        [
            .. runs.Concat(versions)
                .Select(name => name![second.Length..])
                .Where(suffix => suffix.Length == 4)
                .Select(suffix => int.TryParse(suffix, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var n) ? n : -1)
                .Where(n => n >= 0),
        ];
    }

    /// <summary>The version a run registers its model as: the run id with dots, e.g. <c>20261124.063700.ab12</c>.</summary>
    public static string VersionOf(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return runId.Replace('-', '.');
    }

    /// <summary>Writes the record of <paramref name="run"/> to its file and returns the file's path.</summary>
    public static string Write(string modelsDirectory, RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var path = PathOf(modelsDirectory, run.RunId);
        TrainingJson.Write(path, run);
        return path;
    }

    /// <summary>Every run record, newest first.</summary>
    public static IReadOnlyList<RunRecord> List(string modelsDirectory)
    {
        var folder = Folder(modelsDirectory);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return
        [
            .. Directory.EnumerateFiles(folder, "*.json")
                .Select(TrainingJson.Read<RunRecord>)
                .OrderByDescending(r => r.StartedAt)
                .ThenByDescending(r => r.RunId, StringComparer.Ordinal),
        ];
    }

    /// <summary>Reads the record of run <paramref name="runId"/>; a <see cref="TrainingException"/> naming the latest runs when there is no such run.</summary>
    public static RunRecord Load(string modelsDirectory, string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var path = PathOf(modelsDirectory, runId);
        if (runId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || !File.Exists(path))
        {
            var latest = List(modelsDirectory).Take(5).Select(r => r.RunId).ToArray();
            throw new TrainingException(
                $"No run '{runId}' in {Folder(modelsDirectory)}. " +
                (latest.Length == 0 ? "No runs are recorded yet; run make train." : $"Latest runs: {string.Join(", ", latest)} (make runs lists all)."));
        }

        return TrainingJson.Read<RunRecord>(path);
    }

    /// <summary>Prints the runs of <paramref name="model"/> as a table, newest first: the output of <c>make runs</c>.</summary>
    public static void PrintList(ModelDefinition model, string modelsDirectory, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        var runs = List(modelsDirectory);
        if (runs.Count == 0)
        {
            output.WriteLine($"No training runs recorded in {Folder(modelsDirectory)} yet; make train records one.");
            return;
        }

        var primary = TaskMetrics.PrimaryMetric(model.Task);
        var secondary = model.Task.Kind().SecondaryMetric;
        const string Row = "{0,-20}  {1,-19}  {2,-8}  {3,5}  {4,-8}  {5,-8}  {6,-7}  {7}";
        output.WriteLine(Format(Row, "RUN", "STARTED (UTC)", "TRAINER", "SEED", primary.ToUpperInvariant(), secondary.ToUpperInvariant(), "GATE", "VERSION"));
        foreach (var run in runs)
        {
            output.WriteLine(Format(
                Row,
                run.RunId,
                run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                run.Trainer,
                run.Params.GetValueOrDefault("seed", "-"),
                TaskMetrics.Format(run.Metrics, primary),
                TaskMetrics.Format(run.Metrics, secondary),
                run.Status,
                run.RegisteredVersion ?? "-"));
        }

        output.WriteLine(
            $"{runs.Count} run(s) of model {model.Name} in {Folder(modelsDirectory)}; compare two with make runs-compare MODEL={model.Name} A=<run> B=<run>.");
    }

    /// <summary>The parameters and metrics that differ between two runs, with B - A for numbers.</summary>
    public static RunComparison Compare(RunRecord a, RunRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var parameters = Differences(a.Params, b.Params, v => v, Number);
        var metrics = Differences(
            a.Metrics ?? new Dictionary<string, double>(),
            b.Metrics ?? new Dictionary<string, double>(),
            v => v.ToString("F4", CultureInfo.InvariantCulture),
            v => v);
        return new RunComparison(a, b, parameters, metrics);
    }

    /// <summary>Prints <see cref="Compare"/> of two recorded runs: the output of <c>make runs-compare</c>.</summary>
    public static RunComparison PrintComparison(string modelsDirectory, string runA, string runB, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var comparison = Compare(Load(modelsDirectory, runA), Load(modelsDirectory, runB));
        var (a, b) = (comparison.A, comparison.B);
        output.WriteLine($"A  {Describe(a)}");
        output.WriteLine($"B  {Describe(b)}");
        output.WriteLine();
        PrintDifferences("Parameters", comparison.Params, output);
        PrintDifferences("Metrics", comparison.Metrics, output);
        output.WriteLine(a.Data.Sha256 == b.Data.Sha256
            ? $"Data: same content (SHA-256 {Short(a.Data.Sha256)})."
            : $"Data: differs, A {a.Data.Path} (SHA-256 {Short(a.Data.Sha256)}), B {b.Data.Path} (SHA-256 {Short(b.Data.Sha256)}).");
        output.WriteLine(a.GitCommit != b.GitCommit
            ? $"Code: differs, A at {Short(a.GitCommit)}, B at {Short(b.GitCommit)}."
            : (a.UncommittedChanges is { Count: > 0 } || b.UncommittedChanges is { Count: > 0 })
                ? $"Code: same commit ({Short(a.GitCommit)}), but with uncommitted changes ({Uncommitted("A", a)}; {Uncommitted("B", b)}): the code may differ."
                : $"Code: same commit ({Short(a.GitCommit)}).");
        return comparison;
    }

    private static string Uncommitted(string which, RunRecord run) => run.UncommittedChanges switch
    {
        null => $"{which} unknown",
        { Count: 0 } => $"{which} none",
        var files => $"{which} {string.Join(", ", files.Take(3))}{(files.Count > 3 ? $" and {files.Count - 3} more" : string.Empty)}",
    };

    private static void PrintDifferences(string title, IReadOnlyList<RunDifference> differences, TextWriter output)
    {
        if (differences.Count == 0)
        {
            output.WriteLine($"{title}: identical.");
            output.WriteLine();
            return;
        }

        const string Row = "  {0,-34}  {1,12}  {2,12}  {3,10}";
        output.WriteLine($"{title} that differ:");
        output.WriteLine(Format(Row, string.Empty, "A", "B", "B - A"));
        foreach (var difference in differences)
        {
            output.WriteLine(Format(
                Row,
                difference.Name,
                difference.A ?? "(none)",
                difference.B ?? "(none)",
                difference.Delta is { } delta ? delta.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture) : string.Empty));
        }

        output.WriteLine();
    }

    private static List<RunDifference> Differences<T>(
        IReadOnlyDictionary<string, T> a,
        IReadOnlyDictionary<string, T> b,
        Func<T, string> text,
        Func<T, double?> number)
    {
        var differences = new List<RunDifference>();
        foreach (var name in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            var inA = a.TryGetValue(name, out var valueA);
            var inB = b.TryGetValue(name, out var valueB);
            if (inA && inB && EqualityComparer<T>.Default.Equals(valueA, valueB))
            {
                continue;
            }

            var numberA = inA ? number(valueA!) : null;
            var numberB = inB ? number(valueB!) : null;
            differences.Add(new RunDifference(
                name,
                inA ? text(valueA!) : null,
                inB ? text(valueB!) : null,
                numberA is { } x && numberB is { } y ? y - x : null));
        }

        return differences;
    }

    private static double? Number(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static string Describe(RunRecord run) =>
        $"{run.RunId}  started {run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC, " +
        $"{run.Trainer}, gate {run.Gate.Outcome}" + (run.RegisteredVersion is null ? string.Empty : $", version {run.RegisteredVersion}");

    private static string Short(string? hash) => hash is null ? "unknown" : hash.Length > 12 ? hash[..12] : hash;

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}

/// <summary>One parameter or metric whose value differs between two runs; null where a run lacks it.</summary>
public sealed record RunDifference(string Name, string? A, string? B, double? Delta);

/// <summary>The differences between run <see cref="A"/> and run <see cref="B"/>.</summary>
public sealed record RunComparison(
    RunRecord A,
    RunRecord B,
    IReadOnlyList<RunDifference> Params,
    IReadOnlyList<RunDifference> Metrics);
