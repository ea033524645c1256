using System.Text.Json;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>The parts of a template's .template.config/template.json the tests check against.</summary>
public sealed class TemplateDefinition
{
    private static readonly JsonDocumentOptions s_jsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private TemplateDefinition(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    public string SourceName => Root.GetProperty("sourceName").GetString()!;

    public static TemplateDefinition Load(string templateFolder)
    {
        var path = RepoPaths.TemplateConfig(templateFolder);
        File.Exists(path).Should().BeTrue($"the template must be defined at {path}");
        using var document = JsonDocument.Parse(File.ReadAllText(path), s_jsonOptions);
        return new TemplateDefinition(document.RootElement.Clone());
    }

    /// <summary>The symbol whose name matches case-insensitively (CLI option names are derived from it).</summary>
    public JsonElement Symbol(string name) =>
        Root.GetProperty("symbols").EnumerateObject()
            .Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Value)
            .Should().ContainSingle($"template.json must define the symbol '{name}'").Subject;

    public IReadOnlyList<string> Choices(string symbol) =>
        Symbol(symbol).GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("choice").GetString()!).ToArray();

    public string DefaultValue(string symbol) => Symbol(symbol).GetProperty("defaultValue").GetString()!;
}
