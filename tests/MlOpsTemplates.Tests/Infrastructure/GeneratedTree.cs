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

    /// <summary>Whether <paramref name="relativePath"/> is git-ignored build output (bin/, obj/, TestResults/).</summary>
    public static bool IsBuildOutput(string relativePath) =>
        relativePath.Split('/').Any(segment => segment is "bin" or "obj" or "TestResults");

    private static async Task<GeneratedTree> CreateAsync(Scenario scenario)
    {
        // A scenario with added models is instantiated once: its built repo keeps a copy of the tree as generated,
        // because `make add-model` builds and runs a test, which would cost as much again here.
        if (scenario.Additions.Count > 0)
        {
            var repo = await GeneratedRepo.GetAsync(scenario);
            return new GeneratedTree(scenario, repo.GeneratedCopy!, repo.Instantiation);
        }

        var package = await TemplatePackage.GetAsync();
        var folder = TestRun.ScenarioFolder(scenario.Id, "generated");
        var root = Path.Combine(folder, "out");
        Directory.CreateDirectory(root);
        var result = (await package.InstantiateAsync(scenario, root, noRestore: true, Path.Combine(folder, "new.log"))).EnsureCleanSuccess();
        return new GeneratedTree(scenario, root, result);
    }
}
