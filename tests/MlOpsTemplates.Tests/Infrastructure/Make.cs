namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Runs a generated repo's Makefile, as a new hire would, in the CLI's clean environment.</summary>
public static class Make
{
    public static Task<ProcessResult> RunAsync(string repoRoot, string target, string logFile) => RunAsync(repoRoot, [target], logFile);

    /// <summary>
    /// `make &lt;arguments&gt;` (targets and VAR=value); <paramref name="path"/> replaces PATH when given, and
    /// <paramref name="environment"/> sets further variables.
    /// </summary>
    public static Task<ProcessResult> RunAsync(
        string repoRoot, IReadOnlyList<string> arguments, string logFile, string? path = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var extra = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>());
        if (path is not null)
        {
            extra["PATH"] = path;
        }

        return ProcessRunner.RunAsync(DotNetCli.Spec(repoRoot, arguments, extra) with { FileName = "make" }, TimeSpan.FromMinutes(10), logFile);
    }
}
