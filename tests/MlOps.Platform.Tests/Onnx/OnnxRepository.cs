using MlOps.Platform.Onnx;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// A temporary repository root with one ONNX case imported: <c>onnx/&lt;name&gt;.onnx</c>, <c>data/&lt;name&gt;.csv</c>
/// (the eval rows; binary labels <c>true</c>/<c>false</c>) and <c>params/&lt;name&gt;.yaml</c> (trainer <c>onnx</c>,
/// the task's gate, with thresholds the case's model passes). The training app runs on it as <c>make train</c> does.
/// </summary>
public sealed class OnnxRepository : IDisposable
{
    public OnnxRepository(OnnxCase model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Write(model.SourcePath, model.Graph);
        Write(model.DataPath, System.Text.Encoding.UTF8.GetBytes(model.TrainingCsv()));
        Write(model.ParamsPath, System.Text.Encoding.UTF8.GetBytes(Params(model.Task)));
    }

    /// <summary>The imported case.</summary>
    public OnnxCase Model { get; }

    /// <summary>The repository root, deleted on dispose.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("MlOps.OnnxRepository-").FullName;

    /// <summary>The model's artifacts folder: <c>models/&lt;name&gt;</c>.</summary>
    public string Output => Model.ArtifactsFolder(Path.Combine(Root, "models"));

    /// <summary>The served model: <c>models/&lt;name&gt;/model.zip</c>.</summary>
    public string ServingModel => Path.Combine(Output, TrainedModel.FileName);

    /// <summary>The served model's manifest.</summary>
    public ModelManifest? Serving => ModelManifest.Load(Path.Combine(Output, ModelManifest.FileName));

    /// <summary>The params of <paramref name="task"/> an import writes: seed, test fraction, trainer <c>onnx</c> and the gate.</summary>
    public static string Params(ModelTask task)
    {
        var gate = task switch
        {
            ModelTask.Binary => "  min_auc: 0.9\n  min_accuracy_gain: 0.1\n",
            ModelTask.Multiclass => "  min_macro_f1: 0.8\n  min_accuracy_gain: 0.3\n",
            _ => "  min_r2: 0.3\n  min_rmse_gain: 0.1\n",
        };
        return $"seed: 42\ntest_fraction: 0.2\ntrainer: {OnnxKind.Instance.Name}\nquality_gate:\n{gate}  max_regression: 0.01\n";
    }

    /// <summary>Runs the training app's <paramref name="command"/> on the model, with more <paramref name="arguments"/>.</summary>
    public AppResult Run(string command, params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = TrainingApp.Run([command, "--model", Model.Name, "--root", Root, .. arguments], [Model], output, error);
        return new AppResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>train</c> and asserts that it passed.</summary>
    public ModelManifest Train()
    {
        var result = Run("train");
        result.ExitCode.Should().Be(0, $"{result.Output}{result.Error}");
        return Serving!;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private void Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
