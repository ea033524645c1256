using System.Text.Json;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>One problem a Dockerfile linter reported.</summary>
public sealed record LintProblem(string File, int Line, string Severity, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Severity}: {Message}";
}

/// <summary>
/// The `dockerfile-utils` validator (pinned in build/validators, installed by build/install-test-tools.sh),
/// called through its API with every optional check raised to an error.
/// </summary>
public static class DockerfileLinter
{
    // ValidationSeverity.ERROR for every configurable check (several are off or warnings by default).
    private const string Script = """
        const fs = require("fs");
        const utils = require(process.argv[2]);
        const all = 2;
        const settings = {
          deprecatedMaintainer: all, directiveCasing: all, emptyContinuationLine: all, instructionCasing: all,
          instructionCmdMultiple: all, instructionEntrypointMultiple: all, instructionHealthcheckMultiple: all,
          instructionJSONInSingleQuotes: all, instructionWorkdirRelative: all,
        };
        const problems = [];
        for (const file of process.argv.slice(3)) {
          for (const d of utils.validate(fs.readFileSync(file, "utf8"), settings)) {
            problems.push({ file, line: d.range.start.line + 1, severity: d.severity === 1 ? "error" : "warning", message: d.message });
          }
        }
        console.log(JSON.stringify(problems));
        """;

    public static string ModulePath => Path.Combine(RepoPaths.Root, "build", "validators", "node_modules", "dockerfile-utils");

    /// <summary>Lints <paramref name="dockerfiles"/>; the script and its log are kept in <paramref name="folder"/>.</summary>
    public static async Task<IReadOnlyList<LintProblem>> LintAsync(string folder, params string[] dockerfiles)
    {
        Directory.Exists(ModulePath).Should().BeTrue($"dockerfile-utils must be installed at {ModulePath} (bash build/install-test-tools.sh)");
        var script = Path.Combine(folder, "dockerfile-lint.cjs");
        await File.WriteAllTextAsync(script, Script);
        var result = (await ProcessRunner.RunAsync(
            new ProcessSpec("node", [script, ModulePath, .. dockerfiles], folder),
            TimeSpan.FromMinutes(2),
            Path.Combine(folder, "dockerfile-lint.log"))).EnsureSuccess();
        using var json = JsonDocument.Parse(result.StandardOutput);
        return json.RootElement.EnumerateArray()
            .Select(p => new LintProblem(
                p.GetProperty("file").GetString()!,
                p.GetProperty("line").GetInt32(),
                p.GetProperty("severity").GetString()!,
                p.GetProperty("message").GetString()!))
            .ToArray();
    }
}
