using System.Diagnostics;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// A scenario instantiated, restored and built with warnings as errors, exactly as a new hire would.
/// Built once per run and shared by the execution and end-to-end tests.
/// </summary>
public sealed record GeneratedRepo(Scenario Scenario, string Root, IReadOnlyList<(string Step, TimeSpan Duration)> Steps)
{
    /// <summary>What `dotnet new` (and `make add-model` for each added model) printed.</summary>
    public ProcessResult Instantiation { get; private init; } = null!;

    /// <summary>
    /// For a scenario with added models, a copy of the tree as generated, before restore and build, without the
    /// build output of `make add-model`: the scenario's <see cref="GeneratedTree"/>. Null for other scenarios.
    /// </summary>
    public string? GeneratedCopy { get; private init; }

    private static readonly PerScenarioCache<GeneratedRepo> s_cache = new(CreateAsync);

    public static Task<GeneratedRepo> GetAsync(Scenario scenario) => s_cache.GetAsync(scenario);

    public string LogFolder => Path.Combine(Path.GetDirectoryName(Root)!, "logs");

    public string ProjectFolder(string suffix) => Path.Combine("src", $"{Scenario.Name}.{suffix}");

    public string BuiltAssembly(string suffix) =>
        Path.Combine(Root, ProjectFolder(suffix), "bin", "Debug", "net10.0", $"{Scenario.Name}.{suffix}.dll");

    public string Log(string step) => Path.Combine(LogFolder, $"{step}.log");

    /// <summary>
    /// A repo of its own for a test that changes it (imports models into it): generated with its restore, not built,
    /// under the scenario's folder of this run.
    /// </summary>
    public static async Task<GeneratedRepo> InstantiateFreshAsync(TemplatePackage package, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(package);
        var repo = new GeneratedRepo(scenario, Path.Combine(TestRun.ScenarioFolder(scenario.Id, "built"), "repo"), []);
        Directory.CreateDirectory(repo.Root);
        (await package.InstantiateAsync(scenario, repo.Root, noRestore: false, repo.Log("1-new"))).EnsureCleanSuccess();
        return repo;
    }

    private static async Task<GeneratedRepo> CreateAsync(Scenario scenario)
    {
        var package = await TemplatePackage.GetAsync();
        var folder = TestRun.ScenarioFolder(scenario.Id, "built");
        var root = Path.Combine(folder, "repo");
        Directory.CreateDirectory(root);
        var repo = new GeneratedRepo(scenario, root, []);
        var steps = new List<(string, TimeSpan)>();
        var stopwatch = Stopwatch.StartNew();

        var instantiate = (await package.InstantiateAsync(scenario, root, noRestore: !scenario.RestoreByPostAction, repo.Log("1-new"))).EnsureCleanSuccess();
        steps.Add(("dotnet new", stopwatch.Elapsed));
        string? generatedCopy = null;
        if (scenario.Additions.Count > 0)
        {
            generatedCopy = Path.Combine(folder, "generated");
            FileTree.Copy(root, generatedCopy, file => !GeneratedTree.IsBuildOutput(file));
        }

        var restore = instantiate;
        if (!scenario.RestoreByPostAction)
        {
            stopwatch.Restart();
            restore = (await DotNetCli.RunAsync(root, ["restore", "-nodeReuse:false"], repo.Log("2-restore"))).EnsureSuccess();
            steps.Add(("dotnet restore", stopwatch.Elapsed));
        }

        RestoreCheck.AssertRestored(root, restore);

        stopwatch.Restart();
        (await DotNetCli.RunAsync(root, ["build", "--no-restore", "-warnaserror", "-nodeReuse:false"], repo.Log("3-build"))).EnsureSuccess();
        steps.Add(("dotnet build -warnaserror", stopwatch.Elapsed));

        return repo with { Steps = steps, Instantiation = instantiate, GeneratedCopy = generatedCopy };
    }
}
