using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Renders kustomizations with `kubectl kustomize`, reads the multi-document YAML as JSON objects and
/// validates them against the Kubernetes schemas (build/validators/validate-kubernetes.mjs).
/// </summary>
public static partial class KubernetesManifests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    /// <summary>`kubectl kustomize <paramref name="folder"/>`; fails the test when it does not render.</summary>
    public static async Task<IReadOnlyList<JsonObject>> RenderAsync(string folder, string logFile)
    {
        var spec = DotNetCli.Spec(folder, ["kustomize", folder]) with { FileName = "kubectl" };
        var result = (await ProcessRunner.RunAsync(spec, s_timeout, logFile)).EnsureSuccess();
        return ParseYaml(result.StandardOutput);
    }

    /// <summary>Runs the schema validator over <paramref name="objects"/>, written as a JSON array into <paramref name="workFolder"/>.</summary>
    public static Task<ProcessResult> ValidateAsync(IEnumerable<JsonNode> objects, string workFolder, string name)
    {
        Directory.CreateDirectory(workFolder);
        var input = Path.Combine(workFolder, $"{name}.json");
        File.WriteAllText(input, new JsonArray(objects.Select(o => o.DeepClone()).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return Validators.NodeAsync("validate-kubernetes.mjs", [input], workFolder);
    }

    /// <summary>
    /// Every document of a YAML stream as JSON, typing plain scalars by the YAML 1.2 core schema (as
    /// Kubernetes does): `replicas: 2` is a number, `replicas: "2"` a string.
    /// </summary>
    public static IReadOnlyList<JsonObject> ParseYaml(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Where(d => d.RootNode is YamlMappingNode { Children.Count: > 0 })
            .Select(d => (JsonObject)ToJson(d.RootNode)!)
            .ToArray();
    }

    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException($"Unsupported YAML node {node.NodeType} at {node.Start}."),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(text.StartsWith('t') || text.StartsWith('T'));
        }

        if (YamlInteger().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            // Backed by a JsonElement, so GetValue<int>() and GetValue<long>() both work.
            return JsonNode.Parse(integer.ToString(CultureInfo.InvariantCulture));
        }

        if (YamlFloat().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }

    /// <summary>The objects of <paramref name="kind"/> in a rendered set.</summary>
    public static IEnumerable<JsonObject> OfKind(this IEnumerable<JsonObject> objects, string kind) =>
        objects.Where(o => (string?)o["kind"] == kind);

    /// <summary>The single object of <paramref name="kind"/>; fails the test when there is none or several.</summary>
    public static JsonObject SingleOfKind(this IEnumerable<JsonObject> objects, string kind) =>
        objects.OfKind(kind).Should().ContainSingle($"the manifests must contain exactly one {kind}").Subject;

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex YamlInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlFloat();
}
