namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// The models of a generated repo and where their files live: one <c>params/&lt;name&gt;.yaml</c> per model,
/// artifacts under <c>models/&lt;name&gt;/</c>, an example predict request in <c>docs/examples/&lt;name&gt;.json</c>.
/// </summary>
public static class RepoModels
{
    /// <summary>The names of the repo's models (from its params files), in ordinal order as the catalog lists them.</summary>
    public static IReadOnlyList<string> Names(string repoRoot) =>
        Directory.GetFiles(Path.Combine(repoRoot, "params"), "*.yaml")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The repo's one model; fails when it has several.</summary>
    public static string Single(string repoRoot) =>
        Names(repoRoot).Should().ContainSingle($"the repo at {repoRoot} has one model").Subject;

    /// <summary><c>&lt;repo&gt;/models</c>, the default <c>Model:Directory</c> of the service and output of training.</summary>
    public static string ModelsDirectory(string repoRoot) => Path.Combine(repoRoot, "models");

    /// <summary><c>&lt;modelsDirectory&gt;/&lt;name&gt;</c>: model.zip, manifest.json, registry/, runs/ of one model.</summary>
    public static string Folder(string modelsDirectory, string name) => Path.Combine(modelsDirectory, name);

    public static string ModelFile(string modelsDirectory, string name) => Path.Combine(modelsDirectory, name, "model.zip");

    public static string Manifest(string modelsDirectory, string name) => Path.Combine(modelsDirectory, name, "manifest.json");

    public static string Example(string repoRoot, string name) => Path.Combine(repoRoot, "docs", "examples", name + ".json");

    public static string PredictPath(string name) => $"/v1/models/{name}:predict";
}
