namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// A scenario instantiated with --no-restore into a fresh folder: the exact template output,
/// shared by the snapshot and hygiene tests.
/// </summary>
public sealed record GeneratedTree(Scenario Scenario, string Root, ProcessResult Instantiation)
{
    private static readonly PerScenarioCache<GeneratedTree> s_cache = new(CreateAsync);

    public static Task<GeneratedTree> GetAsync(Scenario scenario) => s_cache.GetAsync(scenario);

    public IReadOnlyList<string> Files => FileTree.RelativeFiles(Root);

    private static async Task<GeneratedTree> CreateAsync(Scenario scenario)
    {
        var package = await TemplatePackage.GetAsync();
        var folder = TestRun.ScenarioFolder(scenario.Id, "generated");
        var root = Path.Combine(folder, "out");
        Directory.CreateDirectory(root);
        var result = (await package.InstantiateAsync(scenario, root, noRestore: true, Path.Combine(folder, "new.log"))).EnsureCleanSuccess();
        RemoveBuildOutput(root);
        return new GeneratedTree(scenario, root, result);
    }

    /// <summary>
    /// `make add-model` ends with `make openapi`, which builds and runs one test: drop that git-ignored build output
    /// (bin/, obj/, TestResults/), so the tree holds what the repository commits.
    /// </summary>
    private static void RemoveBuildOutput(string root)
    {
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)
                     .Where(d => Path.GetFileName(d) is "bin" or "obj" or "TestResults")
                     .OrderByDescending(d => d.Length)
                     .ToArray())
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
