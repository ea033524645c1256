using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;

namespace MlOps.Platform.Training;

/// <summary>
/// One end-to-end training run of one model: parameters, data validation, training, quality gate,
/// registration and promotion of the model, and the run record. The options must be resolved for the
/// model (<see cref="TrainingOptions.For"/>).
/// </summary>
public static class TrainingRun
{
    /// <summary>Metrics of the latest training run, written by <c>train</c> and read by DVC (<c>dvc metrics show</c>).</summary>
    public const string MetricsFileName = "metrics.json";

    /// <summary>Metrics of the serving model on the held-out split, written by <c>evaluate</c>.</summary>
    public const string EvaluationFileName = "evaluation.json";

    /// <summary>Checks the data against the input schema and reports what it found; trains nothing.</summary>
    public static IReadOnlyList<LabeledRow> Validate(TrainingOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var model = options.Definition;
        var rows = TrainingData.Load(model, options.Data);
        log.WriteLine(
            $"{options.Data}: {rows.Count} valid rows for model {model.Name} ({TrainingData.DescribeLabels(model, rows)}), SHA-256 {TrainingData.Sha256(options.Data)}.");
        return rows;
    }

    /// <summary>
    /// Scores the serving model on the held-out split of the data (same seed and fraction as training; every row
    /// for a model imported from elsewhere), applies the quality gate's thresholds and writes the metrics beside the model.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(TrainingOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var definition = options.Definition;
        var parameters = TrainingParams.Load(options.Params, options.Overrides);
        var rows = TrainingData.Load(definition, options.Data);
        var ml = new MLContext(parameters.Seed);
        var model = LoadServing(options);

        IReadOnlyDictionary<string, double> metrics;
        using (model)
        {
            if (model.Transformer is { } transformer)
            {
                var split = ModelTrainer.Split(ml, definition, rows, parameters);
                metrics = ModelTrainer.Evaluate(ml, definition, transformer, split.TestSet, definition.FromDataView(ml, split.TrainSet));
                log.WriteLine($"Model {definition.Name} {model.Version} on the held-out split of {options.Data}:");
            }
            else
            {
                metrics = ModelTrainer.Evaluate(ml, model, rows, rows);
                log.WriteLine($"Model {definition.Name} {model.Version} ({definition.Kind.Name}, made elsewhere) on every row of {options.Data}:");
            }
        }

        WriteMetrics(metrics, log);
        var failures = QualityGate.Check(definition, metrics, parameters);
        var evaluationPath = Path.Combine(options.Output, EvaluationFileName);
        TrainingJson.Write(evaluationPath, metrics);
        log.WriteLine($"Metrics written to {evaluationPath}.");
        if (failures.Count > 0)
        {
            throw new TrainingException($"Quality gate failed:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", failures)}")
            {
                ExitCode = 2,
            };
        }

        log.WriteLine("Quality gate passed.");
        return metrics;
    }

    /// <summary>The model serving from the model's folder (<c>model.zip</c> with its manifest), loaded and canary-checked.</summary>
    /// <exception cref="TrainingException">There is none, or it cannot be loaded.</exception>
    public static TrainedModel LoadServing(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return TrainedModel.Load(Path.Combine(options.Output, TrainedModel.FileName), options.Definition);
        }
        catch (ModelLoadException ex)
        {
            throw new TrainingException(ex.Message, ex);
        }
    }

    /// <summary>
    /// Trains, evaluates and gates a model. One that passes is registered as
    /// <c>registry/&lt;version&gt;/</c> and promoted to serve; either way the run is recorded in
    /// <c>runs/&lt;run-id&gt;.json</c> (also when the data or the parameters turn out to be bad).
    /// </summary>
    /// <exception cref="TrainingException">Bad data or parameters (exit code 1), or the gate refused the model (2).</exception>
    public static ModelManifest Execute(TrainingOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var stopwatch = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        var definition = options.Definition;
        var models = options.Output;

        var parameters = TrainingParams.Load(options.Params, options.Overrides);
        var runId = RunLog.NewRunId(models, startedAt);
        var run = new RunRecord
        {
            RunId = runId,
            Model = definition.Name,
            Task = definition.Task.ToText(),
            Status = RunRecord.Failed,
            StartedAt = startedAt,
            Trainer = definition.Kind.TrainsHere ? parameters.Values.GetValueOrDefault("trainer", "unknown") : definition.Kind.Name,
            GitCommit = Provenance.GitCommit(),
            UncommittedChanges = Provenance.UncommittedChanges(),
            Data = new DataInfo(options.Data, File.Exists(options.Data) ? TrainingData.Sha256(options.Data) : null, null),
            Params = parameters.Values,
            Overrides = options.Overrides.GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
            Gate = GateOutcome.NotRun,
            Machine = Provenance.Machine(),
        };

        try
        {
            if (run.UncommittedChanges is { Count: > 0 } changes)
            {
                log.WriteLine($"Uncommitted changes, recorded in the run: {string.Join(", ", changes.Take(5))}{(changes.Count > 5 ? $" and {changes.Count - 5} more" : string.Empty)}.");
            }

            var rows = TrainingData.Load(definition, options.Data);
            run = run with { Data = run.Data with { Rows = rows.Count } };
            log.WriteLine(
                $"Run {runId} of model {definition.Name} ({definition.Task.ToText()}): validated {rows.Count} rows from {options.Data}; " +
                (definition.Kind.TrainsHere
                    ? $"training '{parameters.Trainer}' with seed {parameters.Seed}."
                    : $"evaluating the {definition.Kind.Name} model made elsewhere on every row."));

            var result = definition.Kind.TrainsHere
                ? ModelTrainer.Train(definition, rows, parameters)
                : ModelTrainer.Import(definition, rows, options.Root);
            if (result.Import is { } import)
            {
                log.WriteLine($"  {import.Source}: {string.Join(", ", import.Origin.Select(o => $"{o.Key} {o.Value}"))}");
            }

            var baseline = TaskMetrics.BaselineMetric(definition.Task);
            run = run with
            {
                Metrics = result.Metrics,
                Baseline = new Baseline(TaskMetrics.BaselineStrategy(definition.Task), baseline, result.Metrics[baseline]),
            };
            WriteMetrics(result.Metrics, log);
            TrainingJson.Write(Path.Combine(models, MetricsFileName), result.Metrics);
            if (rows.Count < ModelTrainer.SmallDataRows && definition.Kind.TrainsHere)
            {
                var folds = ModelTrainer.CrossValidate(definition, rows, parameters);
                run = run with { CrossValidation = folds };
                log.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {folds.Folds}-fold cross-validation ({rows.Count} rows, fewer than {ModelTrainer.SmallDataRows}): {folds.Metric} {folds.Mean:F4} ± {folds.StandardDeviation:F4} ({string.Join(", ", folds.PerFold.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))})"));
            }

            var serving = ModelRegistry.Serving(models);
            var champion = Champion.Load(options.Champion);
            var gate = QualityGate.Evaluate(
                definition, result.Metrics, parameters, serving, options.AllowRegression, champion, options.Champion, run.Data.Sha256 ?? string.Empty);
            run = run with { Gate = gate };
            LogChampion(champion, gate, options.Champion, log);
            if (!gate.Passed)
            {
                run = run with { Status = RunRecord.Refused };
                throw new TrainingException(
                    $"Quality gate failed; the model was not registered and {Path.Combine(models, TrainedModel.FileName)} is unchanged:" +
                    $"{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", gate.Reasons)}")
                {
                    ExitCode = 2,
                };
            }

            if (gate.AcceptedRegression is not null)
            {
                log.WriteLine($"Warning: {gate.AcceptedRegression}.");
            }

            var manifest = new ModelManifest
            {
                Model = definition.Name,
                Task = definition.Task,
                Version = RunLog.VersionOf(runId),
                CreatedAt = DateTimeOffset.UtcNow,
                Trainer = run.Trainer,
                Kind = definition.Kind.TrainsHere ? null : definition.Kind.Name,
                Origin = result.Import is { } origin ? new Dictionary<string, string>(origin.Origin, StringComparer.Ordinal) { ["source"] = origin.Source } : null,
                DataSha256 = run.Data.Sha256 ?? TrainingData.Sha256(options.Data),
                Params = parameters.Values,
                Metrics = result.Metrics,
                DurationSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
                RunId = runId,
                GitCommit = run.GitCommit,
                FeatureReference = result.FeatureReference,
            };
            var registered = ModelRegistry.Register(models, result.Save, manifest);
            run = run with { Status = RunRecord.Passed, RegisteredVersion = manifest.Version };
            log.WriteLine($"Quality gate passed; model {manifest.Version} registered in {registered}.");
            if (IsExperimentNoBetter(options, definition, result.Metrics, serving))
            {
                log.WriteLine(
                    $"Not served: this experiment ({string.Join(", ", options.Overrides.Select(o => $"{o.Key}={o.Value}"))}) does not beat the serving model " +
                    $"{serving!.Version} on {TaskMetrics.DisplayName(gate.PrimaryMetric!)} ({TaskMetrics.Format(result.Metrics, gate.PrimaryMetric!)} against " +
                    $"{TaskMetrics.Format(serving.Metrics, gate.PrimaryMetric!)}). Serve it with make promote MODEL={definition.Name} VERSION={manifest.Version}, " +
                    "or train it again with --serve.");
                return manifest;
            }

            var promotion = ModelRegistry.Promote(definition, models, manifest.Version, PromotionEntry.Train, runId);
            ModelRegistry.Print(promotion, models, log);
            return manifest;
        }
        catch (Exception ex) when (run.Status != RunRecord.Refused)
        {
            run = run with { Error = ex.Message };
            throw;
        }
        finally
        {
            run = run with
            {
                FinishedAt = DateTimeOffset.UtcNow,
                DurationSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
            };
            log.WriteLine($"Run {runId} ({run.Status}) recorded in {RunLog.Write(models, run)}.");
            if (options.SummaryPath is { } summary)
            {
                RunSummary.Append(summary, run, options.Champion);
            }
        }
    }

    // A run with --set overrides is an experiment: registered when it passes, but it only replaces what serves when
    // its primary metric is higher, or the team says so (--serve, or --allow-regression for a worse one).
    private static bool IsExperimentNoBetter(TrainingOptions options, ModelDefinition definition, IReadOnlyDictionary<string, double> metrics, ModelManifest? serving)
    {
        var primary = TaskMetrics.PrimaryMetric(definition.Task);
        return options.Overrides.Count > 0 && !options.ServeExperiment && !options.AllowRegression && serving is not null
            && !(metrics[primary] > serving.Metrics.GetValueOrDefault(primary, double.NegativeInfinity));
    }

    private static void LogChampion(Champion? champion, GateOutcome gate, string path, TextWriter log)
    {
        var primary = gate.PrimaryMetric!;
        log.WriteLine(champion is null
            ? $"No champion is recorded in {path} yet: make promote records one, and training then compares every new model with it."
            : gate.ChampionCompared == true
                ? string.Create(CultureInfo.InvariantCulture, $"Champion {champion.Version} of {path}: {TaskMetrics.DisplayName(primary)} {gate.ChampionValue:F4}.")
                : $"Champion {champion.Version} of {path} was measured on other data (SHA-256 {champion.DataSha256[..12]}…); not compared.");
    }

    private static void WriteMetrics(IReadOnlyDictionary<string, double> metrics, TextWriter log)
    {
        foreach (var (name, value) in metrics)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-18} {value:F4}"));
        }
    }
}
