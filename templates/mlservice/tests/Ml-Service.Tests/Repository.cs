namespace Ml_Service.Tests;

/// <summary>Files of this repository that tests read: the shipped sample data, params, cards and docs of each model.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string OpenApiPath => Path.Combine(Root, "docs", "openapi.json");

    public static string ApiSettingsPath => Path.Combine(Root, "src", "Ml-Service.Api", "appsettings.json");

    /// <summary>The model's sample data: <c>data/&lt;name&gt;.csv</c>.</summary>
    public static string DataPath(ModelDefinition model) => Below(model?.DataPath);

    /// <summary>The model's parameters: <c>params/&lt;name&gt;.yaml</c>.</summary>
    public static string ParamsPath(ModelDefinition model) => Below(model?.ParamsPath);

    /// <summary>The model's card: <c>docs/models/&lt;name&gt;.md</c>.</summary>
    public static string CardPath(ModelDefinition model) => Below(model?.ModelCardPath);

    /// <summary>The model's example predict request: <c>docs/examples/&lt;name&gt;.json</c>.</summary>
    public static string ExamplePath(ModelDefinition model) => Below(model?.ExamplePath);

    /// <summary>The instances of the model's example predict request, as the API reads them.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, RawValue>> ExampleInstances(ModelDefinition model)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(ExamplePath(model)));
        return
        [
            .. document.RootElement.GetProperty("instances").EnumerateArray().Select(instance =>
                (IReadOnlyDictionary<string, RawValue>)instance.EnumerateObject()
                    .ToDictionary(p => p.Name, p => RawValue.FromJson(p.Value), StringComparer.Ordinal)),
        ];
    }

    private static string Below(string? relative) =>
        Path.Combine(Root, relative ?? throw new ArgumentNullException(nameof(relative), "A model is required."));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (dir.EnumerateFiles("*.slnx").Any())
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No *.slnx above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
