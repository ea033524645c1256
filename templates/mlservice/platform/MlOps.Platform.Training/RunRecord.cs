using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Platform.Training;

/// <summary>
/// What one training run did, written to <c>models/&lt;name&gt;/runs/&lt;run-id&gt;.json</c> whether the model was
/// registered, refused by the quality gate or the run failed: enough to reproduce it and to compare runs.
/// </summary>
public sealed record RunRecord
{
    /// <see cref="Status"/> of a run whose model passed the gate and was registered and promoted.
    public const string Passed = "passed";
    /// <see cref="Status"/> of a run whose model the quality gate refused.
    public const string Refused = "refused";
    /// <see cref="Status"/> of a run that stopped with an error (see <see cref="Error"/>).
    public const string Failed = "failed";

    /// <summary>UTC time to the second plus a random suffix, e.g. <c>20261124-063700-ab12</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>The name of the model trained, as its definition, data, params and folder are named.</summary>
    public required string Model { get; init; }

    /// <summary>Its task: binary, multiclass or regression.</summary>
    public required string Task { get; init; }

    /// <summary><see cref="Passed"/> (registered and promoted), <see cref="Refused"/> (by the gate) or <see cref="Failed"/>.</summary>
    public required string Status { get; init; }

    /// <summary>When the run started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the run finished.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>How long the run took, in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>The ML.NET trainer the parameters select.</summary>
    public required string Trainer { get; init; }

    /// <summary>Commit the code was at; <c>unknown</c> outside git.</summary>
    public required string GitCommit { get; init; }

    /// <summary>Files of the model's code, parameters or data not committed when the run started; null when unknown (no git).</summary>
    public IReadOnlyList<string>? UncommittedChanges { get; init; }

    /// <summary>The training data the run read.</summary>
    public required DataInfo Data { get; init; }

    /// <summary>Every parameter as used: the params file with the command-line overrides applied.</summary>
    public required IReadOnlyDictionary<string, string> Params { get; init; }

    /// <summary>The parameters overridden on the command line (<c>--set key=value</c>).</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; init; } = new Dictionary<string, string>();

    /// <summary>Metrics on the held-out split; null when the run failed before evaluation.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>What the model must beat: always predicting the majority class, or the training mean.</summary>
    public Baseline? Baseline { get; init; }

    /// <summary>The primary metric over k folds, for data smaller than <see cref="ModelTrainer.SmallDataRows"/> rows; null otherwise.</summary>
    public CrossValidation? CrossValidation { get; init; }

    /// <summary>The quality gate's verdict; <see cref="GateOutcome.NotRun"/> when the run failed before it.</summary>
    public required GateOutcome Gate { get; init; }

    /// <summary>Version in the model's <c>registry/</c> when the model passed the gate.</summary>
    public string? RegisteredVersion { get; init; }

    /// <summary>Why the run failed (bad data, bad parameters); null otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>The machine and runtime the run trained on.</summary>
    public required MachineInfo Machine { get; init; }

    /// <summary>The value of the task's primary metric (<see cref="GateOutcome.PrimaryMetric"/>); null when not measured.</summary>
    [JsonIgnore]
    public double? Primary => Metrics is not null && Gate.PrimaryMetric is { } name && Metrics.TryGetValue(name, out var value) ? value : null;
}

/// <summary>The training data of a run: path as given, SHA-256 of its bytes, valid rows.</summary>
public sealed record DataInfo(string Path, string? Sha256, int? Rows);

/// <summary>
/// The naive model every trained model must beat, measured on the held-out split: <c>majority class</c>
/// (by <c>baseline_accuracy</c>) for classifiers, <c>training mean</c> (by <c>baseline_rmse</c>) for regression.
/// </summary>
public sealed record Baseline(string Strategy, string Metric, double Value);

/// <summary>
/// A k-fold cross-validation of the task's primary metric: every row is held out once, so on small data the spread
/// across folds shows how much the single held-out split's figure can be trusted.
/// </summary>
/// <param name="Folds">How many folds (stratified by class for classifiers).</param>
/// <param name="Metric">The primary metric measured on each fold.</param>
/// <param name="Mean">Its mean over the folds.</param>
/// <param name="StandardDeviation">Its standard deviation over the folds.</param>
/// <param name="PerFold">Its value on each fold, in fold order.</param>
public sealed record CrossValidation(int Folds, string Metric, double Mean, double StandardDeviation, IReadOnlyList<double> PerFold);

/// <summary>The quality gate's verdict on a run, with what it compared against.</summary>
public sealed record GateOutcome
{
    /// <see cref="Outcome"/> when the model passed the gate.
    public const string PassedOutcome = "passed";
    /// <see cref="Outcome"/> when the gate refused the model (see <see cref="Reasons"/>).
    public const string RefusedOutcome = "refused";
    /// <see cref="Outcome"/> when the run failed before the gate could judge a model.
    public const string NotRunOutcome = "not run";

    /// <summary>The gate never ran: the run failed before there was a model to judge.</summary>
    public static GateOutcome NotRun { get; } = new() { Outcome = NotRunOutcome };

    /// <summary><see cref="PassedOutcome"/>, <see cref="RefusedOutcome"/> or <see cref="NotRunOutcome"/>.</summary>
    public required string Outcome { get; init; }

    /// <summary>Why the gate refused the model; empty when it passed.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The metric the regression check compares: auc, macro_f1 or r2; null when the gate never ran.</summary>
    public string? PrimaryMetric { get; init; }

    /// <summary>The model serving when the run was judged; null when none was.</summary>
    public string? ServingVersion { get; init; }

    /// <summary>The serving model's value of <see cref="PrimaryMetric"/>.</summary>
    public double? ServingValue { get; init; }

    /// <summary>The committed champion (<c>champions/&lt;name&gt;.json</c>) when the run was judged; null when none is recorded.</summary>
    public string? ChampionVersion { get; init; }

    /// <summary>The champion's value of <see cref="PrimaryMetric"/>.</summary>
    public double? ChampionValue { get; init; }

    /// <summary>Whether the champion was measured on the run's data and so compared; null when there is no champion.</summary>
    public bool? ChampionCompared { get; init; }

    /// <summary><c>quality_gate.max_regression</c>: how much worse than the serving model's primary metric is allowed.</summary>
    public double? MaxRegression { get; init; }

    /// <summary>The run was started with <c>--allow-regression</c>.</summary>
    public bool AllowRegression { get; init; }

    /// <summary>The regression that <c>--allow-regression</c> accepted; null when there was none.</summary>
    public string? AcceptedRegression { get; init; }

    /// <summary>The model passed the gate (<see cref="Outcome"/> is <see cref="PassedOutcome"/>).</summary>
    [JsonIgnore]
    public bool Passed => Outcome == PassedOutcome;
}

/// <summary>JSON settings of the files the training app writes: snake_case, indented, NaN-safe.</summary>
public static class TrainingJson
{
    /// <summary>The settings of the indented files (run records, <c>metrics.json</c>, <c>evaluation.json</c>): snake_case names, NaN and infinities as named literals.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>One object per line, for append-only logs (<c>promotions.jsonl</c>).</summary>
    public static JsonSerializerOptions Line { get; } = new(Options) { WriteIndented = false };

    /// <summary>Writes <paramref name="value"/> to a temporary file first, so readers never see half a file.</summary>
    public static void Write<T>(string path, T value)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(value, Options) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Reads a file written with <see cref="Options"/>; a <see cref="TrainingException"/> when it is empty or not valid JSON.</summary>
    public static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                ?? throw new TrainingException($"'{path}' is empty.");
        }
        catch (JsonException ex)
        {
            throw new TrainingException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
