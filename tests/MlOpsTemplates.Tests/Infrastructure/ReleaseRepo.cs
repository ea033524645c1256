namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// A scenario generated into its own folder, built with <c>dotnet build -c Release</c> as the container image
/// is, with every model trained by the Release build into <see cref="ModelFolder"/> (<c>models/&lt;name&gt;/</c>).
/// Shared by the hardening tests.
/// </summary>
public sealed record ReleaseRepo(Scenario Scenario, string Root)
{
    private static readonly PerScenarioCache<ReleaseRepo> s_cache = new(CreateAsync);

    public static Task<ReleaseRepo> GetAsync(Scenario scenario) => s_cache.GetAsync(scenario);

    public string LogFolder => Path.Combine(Path.GetDirectoryName(Root)!, "logs");

    public string Log(string step) => Path.Combine(LogFolder, $"{step}.log");

    public string ModelFolder => Path.Combine(Root, "models");

    /// <summary>The repo's models (one per params file).</summary>
    public IReadOnlyList<string> Models => RepoModels.Names(Root);

    /// <summary><c>models/&lt;name&gt;/model.zip</c> of one model.</summary>
    public string ModelPath(string model) => RepoModels.ModelFile(ModelFolder, model);

    /// <summary><c>docs/examples/&lt;name&gt;.json</c>, the documented predict request of one model.</summary>
    public string ExampleRequest(string model) => RepoModels.Example(Root, model);

    public string ApiAssembly =>
        Path.Combine(Root, "src", $"{Scenario.Name}.Api", "bin", "Release", "net10.0", $"{Scenario.Name}.Api.dll");

    private static async Task<ReleaseRepo> CreateAsync(Scenario scenario)
    {
        var package = await TemplatePackage.GetAsync();
        var folder = TestRun.ScenarioFolder(scenario.Id, "release");
        var repo = new ReleaseRepo(scenario, Path.Combine(folder, "repo"));
        Directory.CreateDirectory(repo.Root);
        Directory.CreateDirectory(repo.LogFolder);

        (await package.InstantiateAsync(scenario, repo.Root, noRestore: true, repo.Log("1-new"))).EnsureSuccess();
        (await DotNetCli.RunAsync(repo.Root, ["restore", "-nodeReuse:false"], repo.Log("2-restore"))).EnsureSuccess();
        (await DotNetCli.RunAsync(repo.Root, ["build", "-c", "Release", "--no-restore", "-warnaserror", "-nodeReuse:false"], repo.Log("3-build-release")))
            .EnsureSuccess();
        (await DotNetCli.RunAsync(
            repo.Root,
            ["run", "-c", "Release", "--no-build", "--project", Path.Combine("src", $"{scenario.Name}.Training")],
            repo.Log("4-train-release"))).EnsureSuccess();
        repo.Models.Should().NotBeEmpty();
        foreach (var model in repo.Models)
        {
            File.Exists(repo.ModelPath(model)).Should().BeTrue($"training must write {repo.ModelPath(model)}");
        }

        return repo;
    }
}
