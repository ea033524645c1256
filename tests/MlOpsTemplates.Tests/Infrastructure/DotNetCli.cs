namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Runs the dotnet CLI the way a developer would, in a clean, reproducible environment.</summary>
public static class DotNetCli
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    public static string Executable { get; } =
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// Set (or, when null, removed) for every child. The variables that `dotnet test` hands to the test host
    /// would otherwise leak into nested builds and pin them to this build's MSBuild.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>
    {
        ["NUGET_PACKAGES"] = RepoPaths.NuGetPackages,
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false",
        ["DOTNET_CLI_UI_LANGUAGE"] = "en",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["MSBUILDNOINPROCNODE"] = null,
        ["MSBuildSDKsPath"] = null,
        ["MSBuildExtensionsPath"] = null,
        ["MSBUILD_EXE_PATH"] = null,
        ["MSBuildLoadMicrosoftTargetsReadOnly"] = null,
        ["VSTEST_HOST_DEBUG"] = null,
        ["UPDATE_SNAPSHOTS"] = null,
    };

    public static ProcessSpec Spec(string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? extraEnvironment = null)
    {
        var environment = new Dictionary<string, string?>(Environment);
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return new ProcessSpec(Executable, arguments.ToArray(), workingDirectory, environment);
    }

    public static Task<ProcessResult> RunAsync(
        string workingDirectory,
        IEnumerable<string> arguments,
        string? logFile = null,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null) =>
        ProcessRunner.RunAsync(Spec(workingDirectory, arguments, extraEnvironment), timeout ?? DefaultTimeout, logFile);
}
