using System.Diagnostics;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Runs a process to completion, capturing its output; kills the whole tree on timeout.</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(ProcessSpec spec, TimeSpan timeout, string? logFile = null)
    {
        var capture = new OutputCapture();
        var stopwatch = Stopwatch.StartNew();
        using var process = OutputCapture.Start(spec, capture);
        using var timeoutSource = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var timedOut = ToResult(spec, process, capture, stopwatch);
            Save(timedOut, logFile);
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s; process tree killed.{Environment.NewLine}{timedOut}");
        }

        // The parameterless overload also waits for the redirected streams to be drained.
        await process.WaitForExitAsync();
        var result = ToResult(spec, process, capture, stopwatch);
        Save(result, logFile);
        return result;
    }

    private static ProcessResult ToResult(ProcessSpec spec, Process process, OutputCapture capture, Stopwatch stopwatch) =>
        new(spec.CommandLine, spec.WorkingDirectory, process.ExitCode, capture.StandardOutput, capture.StandardError, capture.All, stopwatch.Elapsed);

    private static void Save(ProcessResult result, string? logFile)
    {
        if (logFile is null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        File.WriteAllText(logFile, result.ToString());
    }
}
