namespace MlOps.Platform.Testing;

/// <summary>Files of this repository that tests read: the shipped sample data, params, cards and docs of each model.</summary>
public static class Repository
{
    private static string? s_root;

    /// <summary>
    /// The repository's root folder: by default the nearest folder above the tests with a solution file (<c>*.slnx</c>)
    /// and a <c>params/</c> folder; a test project that runs elsewhere sets it once, before any test reads a file.
    /// </summary>
    public static string Root
    {
        get => s_root ??= FindRoot();
        set => s_root = value;
    }

    /// <summary>The committed OpenAPI contract: <c>docs/openapi.json</c>.</summary>
    public static string OpenApiPath => Path.Combine(Root, "docs", "openapi.json");

    /// <summary>The API's shipped settings: <c>src/&lt;name&gt;.Api/appsettings.json</c>.</summary>
    public static string ApiSettingsPath =>
        Directory.GetFiles(Path.Combine(Root, "src"), "appsettings.json", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(Path.GetDirectoryName(path))!.EndsWith(".Api", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault() ?? throw new InvalidOperationException($"No src/<name>.Api/appsettings.json under {Root}.");

    /// <summary>The model's sample data: <c>data/&lt;name&gt;.csv</c> under <paramref name="root"/> (by default <see cref="Root"/>).</summary>
    public static string DataPath(ModelDefinition model, string? root = null) => Below(model?.DataPath, root);

    /// <summary>The model's parameters: <c>params/&lt;name&gt;.yaml</c>.</summary>
    public static string ParamsPath(ModelDefinition model, string? root = null) => Below(model?.ParamsPath, root);

    /// <summary>The model's card: <c>docs/models/&lt;name&gt;.md</c>.</summary>
    public static string CardPath(ModelDefinition model, string? root = null) => Below(model?.ModelCardPath, root);

    /// <summary>The model's example predict request: <c>docs/examples/&lt;name&gt;.json</c>.</summary>
    public static string ExamplePath(ModelDefinition model, string? root = null) => Below(model?.ExamplePath, root);

    /// <summary>The instances of the model's example predict request, as the API reads them.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, RawValue>> ExampleInstances(ModelDefinition model, string? root = null)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(ExamplePath(model, root)));
        return
        [
            .. document.RootElement.GetProperty("instances").EnumerateArray().Select(instance =>
                (IReadOnlyDictionary<string, RawValue>)instance.EnumerateObject()
                    .ToDictionary(p => p.Name, p => RawValue.FromJson(p.Value), StringComparer.Ordinal)),
        ];
    }

    private static string Below(string? relative, string? root) =>
        Path.Combine(root ?? Root, relative ?? throw new ArgumentNullException(nameof(relative), "A model is required."));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (dir.EnumerateFiles("*.slnx").Any() && Directory.Exists(Path.Combine(dir.FullName, "params")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder with a *.slnx and params/ above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
