using System.Text;
using System.Text.Json;
using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>Every generated file is clean: UTF-8 without BOM, LF only, no template leftovers, valid JSON.</summary>
public sealed class HygieneTests
{
    private static readonly byte[] s_bom = [0xEF, 0xBB, 0xBF];

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Text_files_have_no_byte_order_mark(string scenarioId) =>
        ScenarioAssert.EveryFile(
            await GeneratedTree.GetAsync(Scenarios.Get(scenarioId)),
            (_, content) => content.AsSpan().StartsWith(s_bom) ? "starts with a UTF-8 BOM" : null,
            "no generated file may start with a BOM");

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Text_files_use_lf_line_endings(string scenarioId) =>
        ScenarioAssert.EveryFile(
            await GeneratedTree.GetAsync(Scenarios.Get(scenarioId)),
            (_, content) => !FileTree.IsBinary(content) && content.AsSpan().IndexOf("\r\n"u8) >= 0 ? "contains CRLF" : null,
            "generated text files must use LF line endings");

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task No_template_tokens_are_left_over(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tokens = LeftoverTokens(scenario.TemplateShortName);
        ScenarioAssert.EveryFile(
            await GeneratedTree.GetAsync(scenario),
            (path, content) =>
            {
                var text = FileTree.IsBinary(content) ? string.Empty : Encoding.UTF8.GetString(content);
                var found = tokens.Where(t => path.Contains(t, StringComparison.Ordinal) || text.Contains(t, StringComparison.Ordinal)).ToArray();
                return found.Length == 0 ? null : $"contains {string.Join(", ", found.Select(t => $"'{t}'"))}";
            },
            "template tokens must all be replaced or removed");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Json_files_parse(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        tree.Files.Should().Contain(f => f.EndsWith(".json", StringComparison.Ordinal), "the template generates JSON files");
        ScenarioAssert.EveryFile(tree, ParseProblem, "every generated .json file must parse");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Yaml_files_parse(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        tree.Files.Should().Contain(f => f.EndsWith(".yaml", StringComparison.Ordinal), "the template generates YAML files");
        ScenarioAssert.EveryFile(tree, YamlProblem, "every generated YAML file must parse");
    }

    [Theory]
    [InlineData("a: 1\na: 2\n")]
    [InlineData("jobs:\n  build:\n    runs-on: x\n  build:\n    runs-on: y\n")]
    public void The_yaml_check_rejects_duplicate_keys(string yaml) =>
        YamlProblem("x.yaml", Encoding.UTF8.GetBytes(yaml)).Should().NotBeNull("a duplicate key silently drops one value in most YAML readers");

    /// <summary>dvc.lock is YAML under another extension.</summary>
    private static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal) || path == "dvc.lock";

    private static string? YamlProblem(string path, byte[] content)
    {
        if (!IsYaml(path))
        {
            return null;
        }

        try
        {
            // Multi-document files (Kubernetes manifests) are parsed document by document.
            new YamlDotNet.RepresentationModel.YamlStream().Load(new StringReader(Encoding.UTF8.GetString(content)));
            return null;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            return e.Message;
        }
    }

    private static string? ParseProblem(string path, byte[] content)
    {
        if (!path.EndsWith(".json", StringComparison.Ordinal))
        {
            return null;
        }

        // Dev container and VS Code settings are JSON with comments by their own spec.
        var jsonc = path.StartsWith(".devcontainer/", StringComparison.Ordinal) || path.StartsWith(".vscode/", StringComparison.Ordinal);
        var options = new JsonDocumentOptions
        {
            CommentHandling = jsonc ? JsonCommentHandling.Skip : JsonCommentHandling.Disallow,
            AllowTrailingCommas = jsonc,
        };
        try
        {
            using var document = JsonDocument.Parse(content, options);
            return null;
        }
        catch (JsonException e)
        {
            return e.Message;
        }
    }

    /// <summary>The template's source name (and its identifier forms) plus the engine's conditional syntax.</summary>
    private static string[] LeftoverTokens(string templateFolder)
    {
        var sourceName = TemplateDefinition.Load(templateFolder).SourceName;
        return new[]
        {
            "MlService", "AuthoringMode", "#if (", "<!--#if", "//#if",
            sourceName, sourceName.Replace('-', '_'), sourceName.Replace("-", string.Empty, StringComparison.Ordinal),
        }.Distinct(StringComparer.Ordinal).ToArray();
    }
}
