using System.Diagnostics;
using System.Text;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Collects a process's stdout and stderr, separately and interleaved, thread-safely.</summary>
internal sealed class OutputCapture
{
    private readonly object _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _all = new();

    public string StandardOutput { get { lock (_gate) { return _stdout.ToString(); } } }

    public string StandardError { get { lock (_gate) { return _stderr.ToString(); } } }

    public string All { get { lock (_gate) { return _all.ToString(); } } }

    public static Process Start(ProcessSpec spec, OutputCapture capture)
    {
        var info = new ProcessStartInfo(spec.FileName)
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => capture.Append(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => capture.Append(e.Data, isError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Nothing we start may wait for input (CI has no stdin).
        process.StandardInput.Close();
        return process;
    }

    private void Append(string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            (isError ? _stderr : _stdout).AppendLine(line);
            _all.AppendLine(line);
        }
    }
}
