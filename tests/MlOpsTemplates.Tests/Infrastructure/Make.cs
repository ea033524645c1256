namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Runs a generated repo's Makefile, as a new hire would, in the CLI's clean environment.</summary>
public static class Make
{
    public static Task<ProcessResult> RunAsync(string repoRoot, string target, string logFile) => RunAsync(repoRoot, [target], logFile);

    /// <summary>`make &lt;arguments&gt;` (targets and VAR=value); <paramref name="path"/> replaces PATH when given.</summary>
    public static Task<ProcessResult> RunAsync(string repoRoot, IReadOnlyList<string> arguments, string logFile, string? path = null) =>
        ProcessRunner.RunAsync(
            DotNetCli.Spec(repoRoot, arguments, path is null ? null : new Dictionary<string, string?> { ["PATH"] = path }) with { FileName = "make" },
            TimeSpan.FromMinutes(10),
            logFile);
}
