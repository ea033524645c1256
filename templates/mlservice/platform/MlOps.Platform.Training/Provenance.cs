using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace MlOps.Platform.Training;

/// <summary>Where and from what a run was made: the git commit, the machine, unique ids.</summary>
public static partial class Provenance
{
    /// <summary>Recorded when the commit cannot be known: outside a git checkout, or git is not installed.</summary>
    public const string UnknownCommit = "unknown";

    /// <summary>
    /// <c>git rev-parse HEAD</c> in <paramref name="directory"/> (default: the current directory), or
    /// <see cref="UnknownCommit"/> when there is no repository (a container build has no .git) or no git.
    /// </summary>
    public static string GitCommit(string? directory = null)
    {
        var commit = Git(directory, "rev-parse", "HEAD")?.Trim();
        return commit is not null && CommitHash().IsMatch(commit) ? commit : UnknownCommit;
    }

    /// <summary>The paths a model's training reads from the repository: its code, parameters and data.</summary>
    public static IReadOnlyList<string> TrainingInputs { get; } = ["src", "params", "data", "Directory.Packages.props"];

    /// <summary>
    /// The files under <see cref="TrainingInputs"/> that differ from the commit (modified, added, deleted, untracked),
    /// as <c>git status</c> names them; empty when everything is committed; null when git or the repository is missing.
    /// </summary>
    public static IReadOnlyList<string>? UncommittedChanges(string? directory = null)
    {
        var status = Git(directory, ["status", "--porcelain", "--untracked-files=all", "--", .. TrainingInputs]);
        return status?.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Length > 3 ? l[3..].Trim() : l.Trim()).ToArray();
    }

    /// <summary>The standard output of a git command that succeeded in <paramref name="directory"/>; null otherwise.</summary>
    private static string? Git(string? directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = directory ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            var stdout = git.StandardOutput.ReadToEndAsync();
            _ = git.StandardError.ReadToEndAsync();
            if (!git.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                git.Kill(entireProcessTree: true);
                return null;
            }

            return git.ExitCode == 0 ? stdout.GetAwaiter().GetResult() : null;
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    /// <summary>The machine a run was made on; results can differ between processors and runtimes.</summary>
    public static MachineInfo Machine() => new(
        Environment.MachineName,
        RuntimeInformation.OSDescription,
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        Environment.ProcessorCount,
        RuntimeInformation.FrameworkDescription);

    /// <summary>
    /// A sortable, unique id: the UTC time to the second and a random suffix, joined by
    /// <paramref name="separator"/>, e.g. <c>20261124-063700-ab12</c>.
    /// </summary>
    public static string NewId(DateTimeOffset time, char separator) =>
        string.Join(
            separator,
            time.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
            time.UtcDateTime.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture),
            RandomNumberGenerator.GetHexString(4, lowercase: true));

    [GeneratedRegex("^[0-9a-f]{40}([0-9a-f]{24})?$")]
    private static partial Regex CommitHash();
}

/// <summary>Host name, operating system, processor count and .NET runtime of a run.</summary>
public sealed record MachineInfo(string HostName, string Os, string Architecture, int ProcessorCount, string Dotnet);
