using System.IO.Compression;
using System.Xml.Linq;
using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>One Template package that carries every template file, dotfiles included, and nothing else.</summary>
public sealed class PackageTests
{
    [Fact]
    public async Task Package_is_a_template_package()
    {
        var package = await TemplatePackage.GetAsync();
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var nuspecEntry = zip.Entries.Should().ContainSingle(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Subject;
        using var stream = nuspecEntry.Open();
        var nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.GetDefaultNamespace();
        var metadata = nuspec.Root.Element(ns + "metadata")!;

        metadata.Element(ns + "id")!.Value.Should().Be("MlOpsTemplates");
        metadata.Element(ns + "packageTypes")!.Elements(ns + "packageType").Select(e => e.Attribute("name")?.Value)
            .Should().Equal(["Template"]);
        metadata.Element(ns + "license")!.Value.Should().Be("MIT");
        zip.Entries.Should().NotContain(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal), "a template pack ships no assembly");
    }

    [Fact]
    public async Task Package_contains_every_template_file_and_no_build_output()
    {
        var package = await TemplatePackage.GetAsync();
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var packed = zip.Entries
            .Select(e => e.FullName)
            .Where(n => n.StartsWith("content/", StringComparison.Ordinal))
            .Select(n => n["content/".Length..])
            .Order(StringComparer.Ordinal)
            .ToArray();
        var expected = FileTree.RelativeFiles(RepoPaths.Templates, p => TemplateSource.IsTemplateFile(p) && !TemplateSource.IsAuthoringOnly(p))
            .Select(p => $"templates/{p}")
            .ToArray();
        var platformPackages = packed.Where(p => TemplateSource.IsPlatformPackage(p["templates/".Length..])).ToArray();

        packed.Should().Contain(p => p.EndsWith("/.template.config/template.json", StringComparison.Ordinal));
        packed.Should().Contain(p => p.EndsWith("/.gitignore", StringComparison.Ordinal), "dotfiles must be packed");
        platformPackages.Select(p => Path.GetFileName(p)).Should().BeEquivalentTo(
            TemplateSource.PlatformProjects.Select(name => $"{name}.{PackageVersion(package)}.nupkg"),
            "every platform package is packed into the template's folder feed at the template package's version");
        expected.Except(packed).Should().BeEmpty($"every template file must be packed into {package.PackagePath}");
        packed.Except(expected).Except(platformPackages).Should().BeEmpty(
            "the package must hold only template files (minus bin/obj/.vs/models and the platform's source) and the platform packages");
    }

    [Fact]
    public async Task Template_folder_installs_directly_and_generates_what_the_package_does()
    {
        var folder = TestRun.ScenarioFolder("package", "folder-install");
        var hive = Path.Combine(folder, "hive");
        var output = Path.Combine(folder, "out");
        var scenario = Scenarios.Get("defaults");
        (await DotNetCli.RunAsync(folder, ["new", "install", TemplateSource.Folder(scenario.TemplateShortName), "--debug:custom-hive", hive], Path.Combine(folder, "install.log"))).EnsureCleanSuccess();

        (await DotNetCli.RunAsync(folder, ["new", scenario.TemplateShortName, "-n", scenario.Name, "-o", output, "--no-restore", "--debug:custom-hive", hive], Path.Combine(folder, "new.log"))).EnsureCleanSuccess();

        // Also proves the template's own excludes keep a developer's bin/obj/models and the platform's source out of the
        // output. The platform packages exist only in the package, which packs them.
        FileTree.RelativeFiles(output).Should().Equal((await GeneratedTree.GetAsync(scenario)).Files.Where(f => !TemplateSource.IsPlatformPackage($"{scenario.TemplateShortName}/{f}")));
    }

    private static string PackageVersion(TemplatePackage package) =>
        Path.GetFileNameWithoutExtension(package.PackagePath)["MlOpsTemplates.".Length..];
}
