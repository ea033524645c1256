using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;

namespace Ml_Service.Training;

/// <summary>One end-to-end training run: parameters, data validation, training, quality gate, model files.</summary>
public static class TrainingRun
{
    /// <summary>Metrics of the saved model, written by <c>evaluate</c> and read by DVC (<c>dvc metrics show</c>).</summary>
    public const string MetricsFileName = "metrics.json";

    private static readonly JsonSerializerOptions s_metricsJson = new() { WriteIndented = true };

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
    /// Scores the saved model on the held-out split of the data (same seed and fraction as training),
    /// applies the quality gate and writes the metrics beside the model.
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
        var metricsPath = Path.Combine(options.OutputDirectory, MetricsFileName);
        File.WriteAllText(metricsPath, JsonSerializer.Serialize(metrics, s_metricsJson) + "\n");
        log.WriteLine($"Metrics written to {metricsPath}.");
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

    public static ModelManifest Execute(TrainingOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var stopwatch = Stopwatch.StartNew();

        var parameters = TrainingParams.Load(options.ParamsPath, options.Overrides);
        var rows = TrainingData.Load(options.DataPath);
        log.WriteLine($"Validated {rows.Count} rows from {options.DataPath}; training '{parameters.Trainer}' with seed {parameters.Seed}.");

        var result = ModelTrainer.Train(rows, parameters);
        WriteMetrics(result.Metrics, log);

        var failures = QualityGate.Check(result.Metrics, parameters);
        if (failures.Count > 0)
        {
            throw new TrainingException($"Quality gate failed; the model was not saved:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", failures)}")
            {
                ExitCode = 2,
            };
        }

        var createdAt = DateTimeOffset.UtcNow;
        var manifest = new ModelManifest
        {
            Version = createdAt.ToString("yyyyMMdd.HHmmss", CultureInfo.InvariantCulture),
            CreatedAt = createdAt,
            Trainer = parameters.Trainer,
            DataSha256 = TrainingData.Sha256(options.DataPath),
            Params = parameters.Values,
            Metrics = result.Metrics,
            DurationSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
        };
        Save(result, manifest, options.OutputDirectory);
        log.WriteLine($"Model {manifest.Version} written to {Path.Combine(options.OutputDirectory, TrainedModel.FileName)}.");
        return manifest;
    }

    private static void WriteMetrics(IReadOnlyDictionary<string, double> metrics, TextWriter log)
    {
        foreach (var (name, value) in metrics)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-18} {value:F4}"));
        }
    }

    /// <summary>Writes to temporary files first, so a failed run never leaves a half-written model behind.</summary>
    private static void Save(TrainingResult result, ModelManifest manifest, string directory)
    {
        Directory.CreateDirectory(directory);
        var modelPath = Path.Combine(directory, TrainedModel.FileName);
        var manifestPath = Path.Combine(directory, ModelManifest.FileName);
        new MLContext().Model.Save(result.Model, result.TestSet.Schema, modelPath + ".tmp");
        manifest.Save(manifestPath + ".tmp");
        File.Move(modelPath + ".tmp", modelPath, overwrite: true);
        File.Move(manifestPath + ".tmp", manifestPath, overwrite: true);
    }
}
