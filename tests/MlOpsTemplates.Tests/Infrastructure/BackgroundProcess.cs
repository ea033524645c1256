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
