using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;

namespace Ml_Service.Training;

/// <summary>
/// One end-to-end training run: parameters, data validation, training, quality gate, registration and
/// promotion of the model, and the run record.
/// </summary>
public static class TrainingRun
{
    /// <summary>Metrics of the latest training run, written by <c>train</c> and read by DVC (<c>dvc metrics show</c>).</summary>
    public const string MetricsFileName = "metrics.json";

    /// <summary>Metrics of the serving model on the held-out split, written by <c>evaluate</c>.</summary>
    public const string EvaluationFileName = "evaluation.json";

    /// <summary>Checks the data against the input schema and reports what it found; trains nothing.</summary>
    public static IReadOnlyList<ChurnExample> Validate(TrainingOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var rows = TrainingData.Load(options.DataPath);
        var churned = rows.Count(r => r.Churned);
        log.WriteLine($"{options.DataPath}: {rows.Count} valid rows ({churned} churned, {rows.Count - churned} stayed), SHA-256 {TrainingData.Sha256(options.DataPath)}.");
        return rows;
    }

    /// <summary>
    /// Scores the serving model on the held-out split of the data (same seed and fraction as training),
    /// applies the quality gate's thresholds and writes the metrics beside the model.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(TrainingOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var parameters = TrainingParams.Load(options.ParamsPath, options.Overrides);
        var rows = TrainingData.Load(options.DataPath);
        var ml = new MLContext(parameters.Seed);
        var modelPath = Path.Combine(options.OutputDirectory, TrainedModel.FileName);
        TrainedModel model;
        try
        {
            model = TrainedModel.Load(ml, modelPath);
        }
        catch (ModelLoadException ex)
        {
            throw new TrainingException(ex.Message, ex);
        }

        var metrics = ModelTrainer.Evaluate(ml, model.Transformer, ModelTrainer.Split(ml, rows, parameters).TestSet);
        log.WriteLine($"Model {model.Version} on the held-out split of {options.DataPath}:");
        WriteMetrics(metrics, log);
        var failures = QualityGate.Check(metrics, parameters);
        var evaluationPath = Path.Combine(options.OutputDirectory, EvaluationFileName);
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
        var models = options.OutputDirectory;

        var parameters = TrainingParams.Load(options.ParamsPath, options.Overrides);
        var runId = RunLog.NewRunId(models, startedAt);
        var run = new RunRecord
        {
            RunId = runId,
            Status = RunRecord.Failed,
            StartedAt = startedAt,
            Trainer = parameters.Values.GetValueOrDefault("trainer", "unknown"),
            GitCommit = Provenance.GitCommit(),
            Data = new DataInfo(options.DataPath, File.Exists(options.DataPath) ? TrainingData.Sha256(options.DataPath) : null, null),
            Params = parameters.Values,
            Overrides = options.Overrides.GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
            Gate = GateOutcome.NotRun,
            Machine = Provenance.Machine(),
        };

        try
        {
            var rows = TrainingData.Load(options.DataPath);
            run = run with { Data = run.Data with { Rows = rows.Count } };
            log.WriteLine($"Run {runId}: validated {rows.Count} rows from {options.DataPath}; training '{parameters.Trainer}' with seed {parameters.Seed}.");

            var result = ModelTrainer.Train(rows, parameters);
            run = run with
            {
                Metrics = result.Metrics,
                Baseline = new Baseline("majority class", result.Metrics["baseline_accuracy"]),
            };
            WriteMetrics(result.Metrics, log);
            TrainingJson.Write(Path.Combine(models, MetricsFileName), result.Metrics);

            var gate = QualityGate.Evaluate(result.Metrics, parameters, ModelRegistry.Serving(models), options.AllowRegression);
            run = run with { Gate = gate };
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
                Version = RunLog.VersionOf(runId),
                CreatedAt = DateTimeOffset.UtcNow,
                Trainer = parameters.Trainer,
                DataSha256 = run.Data.Sha256 ?? TrainingData.Sha256(options.DataPath),
                Params = parameters.Values,
                Metrics = result.Metrics,
                DurationSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
                RunId = runId,
                GitCommit = run.GitCommit,
                FeatureReference = result.FeatureReference,
            };
            var registered = ModelRegistry.Register(models, result.Model, result.TestSet.Schema, manifest);
            run = run with { Status = RunRecord.Passed, RegisteredVersion = manifest.Version };
            log.WriteLine($"Quality gate passed; model {manifest.Version} registered in {registered}.");
            var promotion = ModelRegistry.Promote(models, manifest.Version, PromotionEntry.Train, runId);
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
        }
    }

    private static void WriteMetrics(IReadOnlyDictionary<string, double> metrics, TextWriter log)
    {
        foreach (var (name, value) in metrics)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-18} {value:F4}"));
        }
    }
}
