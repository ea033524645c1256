using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;

namespace Ml_Service.Training;

/// <summary>One end-to-end training run: parameters, data validation, training, quality gate, model files.</summary>
public static class TrainingRun
{
    public static ModelManifest Execute(TrainingOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var stopwatch = Stopwatch.StartNew();

        var parameters = TrainingParams.Load(options.ParamsPath, options.Overrides);
        var rows = TrainingData.Load(options.DataPath);
        log.WriteLine($"Validated {rows.Count} rows from {options.DataPath}; training '{parameters.Trainer}' with seed {parameters.Seed}.");

        var result = ModelTrainer.Train(rows, parameters);
        foreach (var (name, value) in result.Metrics)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-18} {value:F4}"));
        }

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
