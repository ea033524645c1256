namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Assertions shared by the per-file checks over a generated tree.</summary>
public static class ScenarioAssert
{
    /// <summary>Runs <paramref name="check"/> on every file and fails once, listing every offending file.</summary>
    public static void EveryFile(GeneratedTree tree, Func<string, byte[], string?> check, string what)
    {
        var problems = tree.Files
            .Select(path => (path, problem: check(path, File.ReadAllBytes(Path.Combine(tree.Root, path)))))
            .Where(r => r.problem is not null)
            .Select(r => $"  {r.path}: {r.problem}")
            .ToArray();
        problems.Should().BeEmpty($"{what} (generated at {tree.Root}):{Environment.NewLine}{string.Join(Environment.NewLine, problems)}{Environment.NewLine}");
    }
}
