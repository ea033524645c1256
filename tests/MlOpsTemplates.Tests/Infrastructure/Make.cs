namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Runs a target of a generated repo's Makefile, as a new hire would, in the CLI's clean environment.</summary>
public static class Make
{
    public static Task<ProcessResult> RunAsync(string repoRoot, string target, string logFile) =>
        ProcessRunner.RunAsync(DotNetCli.Spec(repoRoot, [target]) with { FileName = "make" }, TimeSpan.FromMinutes(10), logFile);
}
