using System.Text.Json.Nodes;

namespace Ml_Service.Tests.Api;

/// <summary>
/// A temporary models folder that a test serves from and changes while the service runs, the way a
/// promotion or rollback does: manifest first, then model.zip, each written aside and renamed into place.
/// </summary>
internal sealed class ModelFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("Ml-Service.Tests-").FullName;

    public string ModelPath => Path.Combine(Root, TrainedModel.FileName);

    public string ManifestPath => Path.Combine(Root, ModelManifest.FileName);

    /// <summary>Installs the model at <paramref name="modelPath"/> with its manifest, optionally edited first.</summary>
    public void Install(string modelPath, Action<JsonObject>? editManifest = null)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(modelPath)!, ModelManifest.FileName)))!.AsObject();
        editManifest?.Invoke(manifest);
        File.WriteAllText(ManifestPath + ".tmp", manifest.ToJsonString() + "\n");
        File.Copy(modelPath, ModelPath + ".tmp", overwrite: true);
        File.Move(ManifestPath + ".tmp", ManifestPath, overwrite: true);
        File.Move(ModelPath + ".tmp", ModelPath, overwrite: true);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
