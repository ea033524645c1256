using System.Text.Json;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>
/// Every generated repo records how it was made (.mlopstemplates.json), completely enough that rendering the
/// record again gives the same bytes: what `make template-update` relies on.
/// </summary>
public sealed class RecordTests
{
    private const string Record = ".mlopstemplates.json";
    private const string OpenApiDocument = "docs/openapi.json";

    /// <summary>Generators that produce a new value on every run; none may be used.</summary>
    private static readonly string[] s_freshValueGenerators = ["guid", "now", "port", "random"];

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task The_record_names_the_package_version_template_name_and_every_option_value(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var package = await TemplatePackage.GetAsync();
        var record = ReadRecord(tree.Root);

        record.GetProperty("package").GetString().Should().Be("MlOpsTemplates");
        var packageVersion = Path.GetFileNameWithoutExtension(package.PackagePath)["MlOpsTemplates.".Length..];
        record.GetProperty("version").GetString().Should().Be(packageVersion, "the version stamped at pack time is the package's own");
        record.GetProperty("template").GetString().Should().Be(scenario.TemplateShortName);
        record.GetProperty("name").GetString().Should().Be(scenario.Name);
        // Models added with make add-model, in order; AddModelTests checks each entry's fields.
        record.GetProperty("additions").EnumerateArray().Select(a => a.GetProperty("name").GetString())
            .Should().Equal(scenario.Additions.Select(m => m.Name), "each make add-model is recorded, in order");

        var definition = TemplateDefinition.Load(scenario.TemplateShortName);
        var options = record.GetProperty("options").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        var expected = CliOptions(scenario.TemplateShortName).ToDictionary(
            o => o.LongName,
            o => scenario.OptionValue($"--{o.LongName}", o.ShortName is { Length: > 0 } s ? $"-{s}" : null) ?? definition.DefaultValue(o.Symbol));
        options.Should().BeEquivalentTo(expected, "every option is recorded with the value given, or its default, exactly as given");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Rendering_the_record_again_gives_a_byte_identical_tree(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var package = await TemplatePackage.GetAsync();
        var record = ReadRecord(tree.Root);
        var folder = TestRun.ScenarioFolder(scenarioId, "record-replay");
        var output = Path.Combine(folder, "out");

        // Only what the record says: no argument of the scenario is used.
        var arguments = new List<string> { record.GetProperty("template").GetString()!, "-n", record.GetProperty("name").GetString()!, "-o", output, "--no-restore" };
        arguments.AddRange(record.GetProperty("options").EnumerateObject().Select(o => $"--{o.Name}={o.Value.GetString()}"));
        (await package.NewAsync(folder, arguments, Path.Combine(folder, "new.log"))).EnsureSuccess();

        // Then each recorded addition, in order, in its output folder, as make template-update replays them.
        var additions = record.GetProperty("additions").EnumerateArray().ToArray();
        for (var i = 0; i < additions.Length; i++)
        {
            var addition = additions[i];
            var itemArguments = new List<string> { addition.GetProperty("template").GetString()! };
            if (addition.TryGetProperty("name", out var name))
            {
                itemArguments.AddRange(["-n", name.GetString()!]);
            }

            itemArguments.AddRange(addition.GetProperty("options").EnumerateObject().Select(o => $"--{o.Name}={o.Value.GetString()}"));
            var itemOutput = Path.GetFullPath(Path.Combine(output, addition.TryGetProperty("output", out var o) ? o.GetString()! : "."));
            (await package.NewAsync(itemOutput, itemArguments, Path.Combine(folder, $"add-{i + 1}.log"))).EnsureCleanSuccess();
        }

        var again = FileTree.RelativeFiles(output);
        again.Should().Equal(tree.Files);
        // make add-model rebuilds docs/openapi.json from the code after the item template ran (the templates
        // cannot edit a file they did not write); the repository's own document test holds it to the code.
        var rebuiltAfterAdditions = additions.Length > 0 ? OpenApiDocument : null;
        foreach (var file in tree.Files.Where(f => f != Record && f != rebuiltAfterAdditions))
        {
            File.ReadAllBytes(Path.Combine(output, file)).Should().Equal(File.ReadAllBytes(Path.Combine(tree.Root, file)), $"{file} must render to the same bytes from the record");
        }

        // The record itself: the template writes it with no additions; make add-model then appended them.
        File.ReadAllText(Path.Combine(output, Record)).Should().Be(
            WithoutAdditions(File.ReadAllText(Path.Combine(tree.Root, Record))),
            "the record renders to the same bytes, but for the additions make add-model appended");
    }

    [Fact]
    public void The_record_without_additions_is_the_template_rendering_of_it()
    {
        const string withTwo = "{\n  \"options\": {\n    \"trainer\": \"sdca\"\n  },\n  \"additions\": [\n    {\"name\": \"fraud\"},\n    {\"name\": \"segment\"}\n  ]\n}\n";
        const string none = "{\n  \"options\": {\n    \"trainer\": \"sdca\"\n  },\n  \"additions\": []\n}\n";

        WithoutAdditions(withTwo).Should().Be(none);
        WithoutAdditions(none).Should().Be(none);
    }

    [Fact]
    public void No_symbol_generates_a_fresh_value_on_each_run()
    {
        foreach (var template in Directory.GetDirectories(RepoPaths.Templates).Select(Path.GetFileName))
        {
            var definition = TemplateDefinition.Load(template!);
            definition.Root.TryGetProperty("guids", out _).Should().BeFalse($"{template}: `guids` are replaced by new GUIDs on every run");
            var generators = definition.Root.GetProperty("symbols").EnumerateObject()
                .Where(s => s.Value.TryGetProperty("type", out var type) && type.GetString() == "generated")
                .Select(s => (s.Name, Generator: s.Value.GetProperty("generator").GetString()!.ToLowerInvariant()))
                .ToArray();
            generators.Should().NotContain(g => s_freshValueGenerators.Contains(g.Generator), $"{template}: no GUIDs, ports, timestamps or random values, so a record renders the same twice");
        }
    }

    /// <summary>The template's user-facing options (every parameter symbol but --no-restore) with their CLI names.</summary>
    private static IEnumerable<(string Symbol, string LongName, string? ShortName)> CliOptions(string template)
    {
        var definition = TemplateDefinition.Load(template);
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Templates, template, ".template.config", "dotnetcli.host.json")));
        var symbolInfo = host.RootElement.GetProperty("symbolInfo");
        foreach (var symbol in definition.Root.GetProperty("symbols").EnumerateObject())
        {
            if (symbol.Value.GetProperty("type").GetString() != "parameter" || symbol.Name == "skipRestore")
            {
                continue;
            }

            var hasInfo = symbolInfo.TryGetProperty(symbol.Name, out var info);
            var longName = hasInfo && info.TryGetProperty("longName", out var l) ? l.GetString()! : symbol.Name.ToLowerInvariant();
            var shortName = hasInfo && info.TryGetProperty("shortName", out var s) ? s.GetString() : null;
            yield return (symbol.Name, longName, shortName);
        }
    }

    /// <summary>The record's text with its "additions" array emptied, as the template renders it.</summary>
    private static string WithoutAdditions(string record) =>
        Regex.Replace(record, @"^(  ""additions"":) \[\n(.*\n)*?  \]", "$1 []", RegexOptions.Multiline);

    private static JsonElement ReadRecord(string root)
    {
        var path = Path.Combine(root, Record);
        File.Exists(path).Should().BeTrue($"every generated repo records how it was made in {Record}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }
}
