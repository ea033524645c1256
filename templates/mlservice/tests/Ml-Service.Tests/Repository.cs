namespace Ml_Service.Tests;

/// <summary>Files of this repository that tests read: the shipped sample data, params and docs.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string DataPath => Path.Combine(Root, "data", "churn.csv");

    public static string ParamsPath => Path.Combine(Root, "params.yaml");

    public static string OpenApiPath => Path.Combine(Root, "docs", "openapi.json");

    public static string ApiSettingsPath => Path.Combine(Root, "src", "Ml-Service.Api", "appsettings.json");

    public static string ExampleRequestPath => Path.Combine(Root, "docs", "examples", "predict-request.json");

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
