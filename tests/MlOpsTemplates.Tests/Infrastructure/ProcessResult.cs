using System.Text;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>The outcome of one finished process, with everything it printed.</summary>
public sealed record ProcessResult(
    string CommandLine,
    string WorkingDirectory,
    int ExitCode,
    string StandardOutput,
    string StandardError,
    string Output,
    TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;

    public ProcessResult EnsureSuccess()
    {
        if (!Succeeded)
        {
            throw new ProcessFailedException($"Command failed with exit code {ExitCode}.{Environment.NewLine}{this}");
        }

        return this;
    }

    /// <summary>
    /// Exit code 0 and nothing on standard error. `dotnet new` exits 0 even when it reports a problem (a
    /// post-action that failed or was skipped, a template it could not read), so its successes go through this.
    /// </summary>
    public ProcessResult EnsureCleanSuccess()
    {
        EnsureSuccess();
        if (StandardError.Trim().Length > 0)
        {
            throw new ProcessFailedException($"Command succeeded but wrote to standard error.{Environment.NewLine}{this}");
        }

        return this;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"> {CommandLine}");
        text.AppendLine($"  in {WorkingDirectory}");
        text.AppendLine($"  exit code {ExitCode} after {Duration.TotalSeconds:F1} s");
        text.AppendLine("----- output (stdout and stderr interleaved) -----");
        text.AppendLine(Output.TrimEnd());
        text.AppendLine("----- end of output -----");
        return text.ToString();
    }
}

public sealed class ProcessFailedException(string message) : Exception(message);
