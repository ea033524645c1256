namespace Ml_Service.Tests;

/// <summary>
/// One model trained from the repository's own params.yaml and sample data, written to a temporary
/// folder exactly as `make train` would, and shared by every test that needs a model.
/// </summary>
internal static class SharedModel
{
    private static readonly Lazy<Trained> s_trained = new(Train);

    public static string ModelPath => s_trained.Value.ModelPath;

    /// <summary>The models folder of that training run: serving model, registry/, runs/. Copy it before changing it.</summary>
    public static string Folder => Path.GetDirectoryName(ModelPath)!;

    public static ModelManifest Manifest => s_trained.Value.Manifest;

    private static Trained Train()
    {
        var output = Directory.CreateTempSubdirectory("Ml-Service.Tests-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(output, recursive: true);
        var manifest = TrainingRun.Execute(
            new TrainingOptions { DataPath = Repository.DataPath, ParamsPath = Repository.ParamsPath, OutputDirectory = output },
            TextWriter.Null);
        return new Trained(Path.Combine(output, TrainedModel.FileName), manifest);
    }

    private sealed record Trained(string ModelPath, ModelManifest Manifest);
}
