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

    /// <summary>The option that points `dotnet new` at a private template hive.</summary>
    public const string HiveOption = "--debug:custom-hive";

    /// <summary>
    /// The lock file every `dotnet new` of <paramref name="hive"/> holds (through flock, in this process and in the
    /// shim of `make add-model`): tests run in parallel, and the template engine's caches in a hive are not
    /// written safely by two instances at once.
    /// </summary>
    public static string HiveLock(string hive) => hive.TrimEnd('/') + ".lock";

    public static ProcessSpec Spec(string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? extraEnvironment = null)
    {
        var environment = new Dictionary<string, string?>(Environment);
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        var args = arguments.ToArray();
        var hive = Array.IndexOf(args, HiveOption) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        return hive is null
            ? new ProcessSpec(Executable, args, workingDirectory, environment)
            : new ProcessSpec("flock", [HiveLock(hive), Executable, .. args], workingDirectory, environment);
    }

    public static Task<ProcessResult> RunAsync(
        string workingDirectory,
        IEnumerable<string> arguments,
        string? logFile = null,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null) =>
        ProcessRunner.RunAsync(Spec(workingDirectory, arguments, extraEnvironment), timeout ?? DefaultTimeout, logFile);
}
