using System.Diagnostics;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// The ONNX cases of <c>Producers/make_models.py</c> (real models exported by PyTorch, scikit-learn graphs written as
/// skl2onnx writes them), produced once per test run into a temporary folder deleted when the run ends.
/// </summary>
public static class OnnxProducers
{
    /// <summary>Debian's Python, where python3-torch, python3-onnx and python3-sklearn import.</summary>
    public const string Python = "/usr/bin/python3";

    private const string Packages = "python3-torch, python3-onnx and python3-sklearn";
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<string> s_folder = new(Produce);

    /// <summary>The folder of the cases, one subfolder per case; made on first use.</summary>
    public static string Folder => s_folder.Value;

    /// <summary>The folder of one case (<c>torch_binary</c>): model.onnx, eval.csv, expected.csv, case.json.</summary>
    public static string Case(string name) => Path.Combine(Folder, name);

    private static string Produce()
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException(
                $"{Python} is missing: the ONNX tests produce their models with Debian's Python and {Packages} (build/install-test-tools.sh installs them).");
        }

        var script = Path.GetFullPath(Path.Combine(Repository.Root, "..", "..", "tests", "MlOps.Platform.Tests", "Onnx", "Producers", "make_models.py"));
        var folder = Directory.CreateTempSubdirectory("MlOps.Onnx-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Python} {script} did not finish in {s_timeout.TotalSeconds} s.");
        }

        if (process.ExitCode != 0)
        {
            var stderr = error.GetAwaiter().GetResult();
            var missing = stderr.Contains("ModuleNotFoundError", StringComparison.Ordinal)
                ? $" A module is missing: make_models.py needs Debian's {Packages} (build/install-test-tools.sh installs them)."
                : string.Empty;
            throw new InvalidOperationException(
                $"{Python} {script} exited with {process.ExitCode}.{missing}\n{output.GetAwaiter().GetResult()}\n{stderr}");
        }

        return folder;
    }
}
