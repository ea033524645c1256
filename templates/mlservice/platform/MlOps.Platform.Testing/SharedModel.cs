using System.Collections.Concurrent;

namespace MlOps.Platform.Testing;

/// <summary>
/// One model per definition, trained from the repository's own params and sample data into a temporary
/// models folder exactly as `make train` would (<c>&lt;root&gt;/&lt;name&gt;/</c>), once per test run and only
/// when a test asks for it; shared by every test that needs a trained model.
/// </summary>
public static class SharedModel
{
    private static readonly Lazy<string> s_root = new(CreateRoot);
    private static readonly ConcurrentDictionary<string, Lazy<SharedTraining>> s_trained = new(StringComparer.Ordinal);

    /// <summary>
    /// A models folder with every model of the catalog trained and served, as <c>models/</c> is after
    /// `make train`: for tests that serve all models.
    /// </summary>
    public static string ModelsRoot
    {
        get
        {
            foreach (var model in ModelCatalog.All)
            {
                _ = Of(model);
            }

            return s_root.Value;
        }
    }

    /// <summary>The trained <paramref name="model"/>; its folder holds the serving model, registry/ and runs/. Copy it before changing it.</summary>
    public static SharedTraining Of(ModelDefinition model) => Of(model, root: null);

    /// <summary>
    /// The <paramref name="model"/> trained from the data and params under <paramref name="root"/> (a repository
    /// laid out as this one; by default <see cref="Repository.Root"/>), into a temporary models folder of that root.
    /// </summary>
    public static SharedTraining Of(ModelDefinition model, string? root)
    {
        ArgumentNullException.ThrowIfNull(model);
        var repository = Path.GetFullPath(root ?? Repository.Root);
        return s_trained.GetOrAdd($"{repository}|{model.Name}", _ => new Lazy<SharedTraining>(() => Train(model, repository))).Value;
    }

    /// <summary>The trained model of the catalog named <paramref name="name"/>.</summary>
    public static SharedTraining Of(string name) =>
        Of(ModelCatalog.Find(name) ?? throw new ArgumentException($"No model '{name}' in the catalog.", nameof(name)));

    private static SharedTraining Train(ModelDefinition model, string repository)
    {
        var modelsRoot = repository == Path.GetFullPath(Repository.Root)
            ? s_root.Value
            : Path.Combine(s_root.Value, "of-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(repository)))[..12]);
        // The kit judges the model against its thresholds only: the team's committed champion is for make train in CI.
        var options = new TrainingOptions { ModelsRoot = modelsRoot, Root = repository }.For(model);
        options = options with { ChampionPath = Path.Combine(options.Output, "champion.json") };
        var manifest = TrainingRun.Execute(options, TextWriter.Null);
        return new SharedTraining(model, options.Output, manifest);
    }

    private static string CreateRoot()
    {
        var root = Directory.CreateTempSubdirectory("MlOps.Tests-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        return root;
    }
}

/// <summary>A model trained once for the test run: its definition, its models folder and the manifest of the served version.</summary>
public sealed record SharedTraining(ModelDefinition Model, string Folder, ModelManifest Manifest)
{
    /// <summary>The served model file, <c>&lt;folder&gt;/model.zip</c>.</summary>
    public string ModelPath => Path.Combine(Folder, TrainedModel.FileName);
}
