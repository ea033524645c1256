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
        var expected = FileTree.RelativeFiles(RepoPaths.Templates, TemplateSource.IsTemplateFile)
            .Select(p => $"templates/{p}")
            .ToArray();

        packed.Should().Contain(p => p.EndsWith("/.template.config/template.json", StringComparison.Ordinal));
        packed.Should().Contain(p => p.EndsWith("/.gitignore", StringComparison.Ordinal), "dotfiles must be packed");
        expected.Except(packed).Should().BeEmpty($"every template file must be packed into {package.PackagePath}");
        packed.Except(expected).Should().BeEmpty("the package must hold only template files, minus bin/obj/.vs/models");
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

        // Also proves the template's own excludes keep a developer's bin/obj/models out of the output.
        FileTree.RelativeFiles(output).Should().Equal((await GeneratedTree.GetAsync(scenario)).Files);
    }
}
