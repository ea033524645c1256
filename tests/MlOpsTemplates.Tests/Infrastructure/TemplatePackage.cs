namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// The pack, built once per test run into the run folder and installed into ONE private template hive
/// that every test shares. Every `dotnet new` goes through <see cref="NewAsync"/>, so the user's own
/// template hive is never touched.
/// </summary>
public sealed class TemplatePackage
{
    private static readonly Lazy<Task<TemplatePackage>> s_instance = new(CreateAsync);

    private TemplatePackage(string packagePath, string hive)
    {
        PackagePath = packagePath;
        Hive = hive;
    }

    public string PackagePath { get; }

    public string Hive { get; }

    public static Task<TemplatePackage> GetAsync() => s_instance.Value;

    /// <summary>`dotnet new &lt;arguments&gt; --debug:custom-hive &lt;hive&gt;`.</summary>
    public Task<ProcessResult> NewAsync(string workingDirectory, IEnumerable<string> arguments, string logFile) =>
        DotNetCli.RunAsync(
            workingDirectory,
            ["new", .. arguments, "--debug:custom-hive", Hive],
            logFile,
            TimeSpan.FromMinutes(10));

    /// <summary>
    /// Generates <paramref name="scenario"/> into <paramref name="outputFolder"/>, then adds its models with
    /// `make add-model` (see <see cref="AddModelRunner"/>); the result of a step that failed, or of the last one.
    /// </summary>
    public async Task<ProcessResult> InstantiateAsync(Scenario scenario, string outputFolder, bool noRestore, string logFile)
    {
        var result = await NewAsync(
            outputFolder,
            [scenario.TemplateShortName, "-n", scenario.Name, "-o", outputFolder, .. scenario.ExtraArgs, .. noRestore ? new[] { "--no-restore" } : []],
            logFile);
        foreach (var model in scenario.Additions)
        {
            if (!result.Succeeded || result.StandardError.Trim().Length > 0)
            {
                return result;
            }

            result = await AddModelRunner.RunAsync(this, outputFolder, model.Name, model.Task, Path.ChangeExtension(logFile, $"add-{model.Name}.log"));
        }

        return result;
    }

    private static async Task<TemplatePackage> CreateAsync()
    {
        var folder = Path.Combine(TestRun.Folder, "package");
        var packages = Path.Combine(folder, "nupkg");
        var hive = Path.Combine(folder, "hive");
        ForgetPlatformPackages();

        (await DotNetCli.RunAsync(
            RepoPaths.Root,
            ["pack", RepoPaths.PackProject, "-o", packages, "-warnaserror", "-nodeReuse:false"],
            Path.Combine(folder, "pack.log"))).EnsureSuccess();

        var package = Directory.GetFiles(packages, "MlOpsTemplates.*.nupkg").Should().ContainSingle(
            "dotnet pack must produce exactly one MlOpsTemplates package").Subject;

        var install = (await DotNetCli.RunAsync(
            folder,
            ["new", "install", package, "--debug:custom-hive", hive],
            Path.Combine(folder, "install.log"))).EnsureCleanSuccess();
        install.Output.Should().Contain("MlOpsTemplates", "install must report the package it installed:\n" + install);

        return new TemplatePackage(package, hive);
    }

    /// <summary>
    /// Every run packs the platform again at the pack's version; the shared NuGet cache would otherwise keep
    /// serving the packages of an earlier run under the same version.
    /// </summary>
    private static void ForgetPlatformPackages()
    {
        if (!Directory.Exists(RepoPaths.NuGetPackages))
        {
            return;
        }

        foreach (var cached in Directory.GetDirectories(RepoPaths.NuGetPackages, "mlops.platform.*"))
        {
            Directory.Delete(cached, recursive: true);
        }
    }
}
