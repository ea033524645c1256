using System.Diagnostics;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>A long-running process (a server) whose tree is always killed on dispose.</summary>
public sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly OutputCapture _capture;
    private readonly string? _logFile;

    private BackgroundProcess(ProcessSpec spec, Process process, OutputCapture capture, string? logFile)
    {
        Spec = spec;
        _process = process;
        _capture = capture;
        _logFile = logFile;
    }

    public ProcessSpec Spec { get; }

    public bool HasExited => _process.HasExited;

    public string Output => _capture.All;

    public static BackgroundProcess Start(ProcessSpec spec, string? logFile = null)
    {
        var capture = new OutputCapture();
        return new BackgroundProcess(spec, OutputCapture.Start(spec, capture), capture, logFile);
    }

    /// <summary>Sends SIGTERM, as Kubernetes does before it kills a pod, and waits for the process to exit.</summary>
    /// <returns>The exit code, or null when the process was still running after <paramref name="timeout"/>.</returns>
    public async Task<int?> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public string Describe()
    {
        var state = HasExited ? $"exited with code {_process.ExitCode}" : "still running";
        return $"> {Spec.CommandLine}{Environment.NewLine}  in {Spec.WorkingDirectory} ({state}){Environment.NewLine}" +
               $"----- output -----{Environment.NewLine}{Output.TrimEnd()}{Environment.NewLine}----- end of output -----";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (_logFile is not null)
            {
                await File.WriteAllTextAsync(_logFile, Describe());
            }

            _process.Dispose();
        }
    }
}
