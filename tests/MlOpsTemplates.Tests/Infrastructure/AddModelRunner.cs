namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>A model added to a generated repo after generation: `make add-model NAME=Name TASK=Task`.</summary>
public sealed record AddedModel(string Name, string Task);

/// <summary>
/// Runs a generated repo's `make add-model` as a developer would, except that its `dotnet new` uses the test
/// run's private template hive: a `dotnet` shim first on PATH adds `--debug:custom-hive` to `dotnet new`
/// calls and passes every other call through unchanged. The script itself is not altered.
/// </summary>
public static class AddModelRunner
{
    private static readonly Lock s_lock = new();

    public static Task<ProcessResult> RunAsync(TemplatePackage package, string repoRoot, string name, string task, string logFile) =>
        RunAsync(ShimFolder(package.Hive), repoRoot, ["add-model", $"NAME={name}", $"TASK={task}"], logFile);

    /// <summary>`make &lt;arguments&gt;` in <paramref name="repoRoot"/> with the shim of <paramref name="hive"/> first on PATH.</summary>
    public static Task<ProcessResult> RunMakeAsync(string hive, string repoRoot, IReadOnlyList<string> arguments, string logFile) =>
        RunAsync(ShimFolder(hive), repoRoot, arguments, logFile);

    /// <summary>A folder holding a `dotnet` that runs `dotnet new ... --debug:custom-hive <paramref name="hive"/>`.</summary>
    public static string ShimFolder(string hive)
    {
        var folder = Path.Combine(hive + ".shim");
        var shim = Path.Combine(folder, "dotnet");
        lock (s_lock)
        {
            if (!File.Exists(shim))
            {
                Directory.CreateDirectory(folder);
                var real = DotNetCli.Executable == "dotnet" ? FindOnPath("dotnet") : DotNetCli.Executable;
                var script = string.Join(
                    '\n',
                    "#!/usr/bin/env bash",
                    "if [[ \"${1:-}\" == new ]]; then",
                    $"  exec flock '{DotNetCli.HiveLock(hive)}' '{real}' \"$@\" {DotNetCli.HiveOption} '{hive}'",
                    "fi",
                    $"exec '{real}' \"$@\"",
                    string.Empty);
                File.WriteAllText(shim, script);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
        }

        return folder;
    }

    private static Task<ProcessResult> RunAsync(string shimFolder, string repoRoot, IReadOnlyList<string> arguments, string logFile) =>
        Make.RunAsync(repoRoot, arguments, logFile, path: shimFolder + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH"));

    private static string FindOnPath(string executable) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, executable))
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"{executable} is not on PATH.");
}
