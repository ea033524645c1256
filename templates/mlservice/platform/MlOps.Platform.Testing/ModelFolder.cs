using System.Text.Json.Nodes;

namespace MlOps.Platform.Testing;

/// <summary>
/// A temporary models folder that a test serves from and changes while the service runs, the way a
/// promotion or rollback does: manifest first, then model.zip, each written aside and renamed into place.
/// </summary>
public sealed class ModelFolder : IDisposable
{
    /// <summary>The temporary folder, created under the system's temp folder with the <c>MlOps.Tests-</c> prefix.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("MlOps.Tests-").FullName;

    /// <summary>The served model file, <c>&lt;root&gt;/model.zip</c>.</summary>
    public string ModelPath => Path.Combine(Root, TrainedModel.FileName);

    /// <summary>The served model's manifest, <c>&lt;root&gt;/manifest.json</c>.</summary>
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

    /// <summary>Deletes <see cref="Root"/> and everything in it.</summary>
    public void Dispose() => Directory.Delete(Root, recursive: true);
}
