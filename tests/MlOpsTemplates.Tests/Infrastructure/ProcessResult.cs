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
