namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// The external validators the tests run: the npm packages pinned in build/validators (installed there by
/// build/install-test-tools.sh) and shellcheck from Debian's packages.
/// </summary>
public static class Validators
{
    public static string Folder => Path.Combine(RepoPaths.Root, "build", "validators");

    /// <summary>`node build/validators/&lt;script&gt; &lt;arguments&gt;` in <paramref name="workingDirectory"/>.</summary>
    public static Task<ProcessResult> NodeAsync(string script, IEnumerable<string> arguments, string workingDirectory)
    {
        var path = Path.Combine(Folder, script);
        Directory.Exists(Path.Combine(Folder, "node_modules")).Should().BeTrue(
            $"the npm validators must be installed in {Folder}/node_modules: run bash build/install-test-tools.sh");
        return ProcessRunner.RunAsync(new ProcessSpec("node", [path, .. arguments], workingDirectory), TimeSpan.FromMinutes(2));
    }

    /// <summary>shellcheck over <paramref name="files"/> (paths relative to <paramref name="workingDirectory"/>).</summary>
    public static Task<ProcessResult> ShellcheckAsync(string workingDirectory, IEnumerable<string> files) =>
        ProcessRunner.RunAsync(
            new ProcessSpec("shellcheck", ["--shell=bash", "--external-sources", .. files], workingDirectory),
            TimeSpan.FromMinutes(2));
}
