using System.Security.Cryptography;
using MlOpsTemplates.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The DVC files are truthful without DVC installed: committed hashes are DVC's own for the committed files, the
/// pipeline runs the Makefile's commands, and the remote placeholder is of the chosen kind.
/// </summary>
public sealed class DvcTests
{
    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Every_hash_in_dvc_lock_is_what_dvc_computes_for_the_file(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var entries = Load(Path.Combine(tree.Root, "dvc.lock")).AllNodes.OfType<YamlMappingNode>()
            .Where(n => n.Children.ContainsKey(new YamlScalarNode("md5")))
            .ToArray();

        entries.Should().NotBeEmpty("dvc.lock records the sample data");
        foreach (var entry in entries)
        {
            var path = Path.Combine(tree.Root, Scalar(entry, "path"));
            File.Exists(path).Should().BeTrue($"dvc.lock names {path}");
            // DVC 3 ("hash: md5") hashes the raw bytes with MD5; the legacy md5-dos2unix differs only for CRLF text.
            Scalar(entry, "hash").Should().Be("md5");
            Scalar(entry, "md5").Should().Be(Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(path))), $"the md5 of {path}");
            long.Parse(Scalar(entry, "size"), System.Globalization.CultureInfo.InvariantCulture).Should().Be(new FileInfo(path).Length, $"the size of {path}");
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Pipeline_stages_run_the_makefile_commands_and_name_real_files_and_params(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var stages = (YamlMappingNode)Load(Path.Combine(tree.Root, "dvc.yaml")).Children[new YamlScalarNode("stages")];
        var lockedStages = (YamlMappingNode)Load(Path.Combine(tree.Root, "dvc.lock")).Children[new YamlScalarNode("stages")];
        var parameters = Load(Path.Combine(tree.Root, "params.yaml"));

        stages.Children.Keys.Select(k => k.ToString()).Should().Equal("validate", "train", "evaluate");
        foreach (var (stage, target) in new[] { ("validate", "data"), ("train", "train"), ("evaluate", "evaluate") })
        {
            var definition = (YamlMappingNode)stages.Children[new YamlScalarNode(stage)];
            var dryRun = (await Make.RunAsync(tree.Root, ["--dry-run", target], Path.Combine(tree.Root, "..", $"make-n-{target}.log"))).EnsureSuccess();
            dryRun.StandardOutput.Trim().Should().Be(Scalar(definition, "cmd"), $"the {stage} stage must run exactly what make {target} runs");

            foreach (var dependency in Sequence(definition, "deps").Select(d => d.ToString()).Where(d => !d.StartsWith("models/", StringComparison.Ordinal)))
            {
                Path.Exists(Path.Combine(tree.Root, dependency)).Should().BeTrue($"{stage} depends on {dependency}");
            }

            if (definition.Children.ContainsKey(new YamlScalarNode("params")))
            {
                foreach (var parameter in Sequence(definition, "params").Select(p => p.ToString()))
                {
                    parameters.Children.Should().ContainKey(new YamlScalarNode(parameter), $"{stage} uses params.yaml's {parameter}");
                }
            }

            if (lockedStages.Children.TryGetValue(new YamlScalarNode(stage), out var locked))
            {
                Scalar((YamlMappingNode)locked, "cmd").Should().Be(Scalar(definition, "cmd"), "a lock whose cmd differs makes DVC rerun the stage");
            }
        }

        foreach (var (stage, file, because) in new[]
                 {
                     ("train", "models/metrics.json", "make train writes the metrics of the run"),
                     ("evaluate", "models/evaluation.json", "make evaluate writes the metrics of the served model"),
                 })
        {
            var metrics = Sequence((YamlMappingNode)stages.Children[new YamlScalarNode(stage)], "metrics").Single();
            ((YamlMappingNode)metrics).Children.Keys.Single().ToString().Should().Be(file, because);
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task The_remote_placeholder_is_of_the_chosen_kind_and_holds_no_credentials(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var kind = tree.Scenario.OptionValue("--dvc-remote") ?? TemplateDefinition.Load(Scenarios.MlService).DefaultValue("DvcRemote");
        var config = await File.ReadAllTextAsync(Path.Combine(tree.Root, ".dvc", "config"));
        var expectedScheme = kind switch
        {
            "s3" => "s3://",
            "gcs" => "gs://",
            "azure" => "azure://",
            "local" => "/",
            _ => throw new InvalidOperationException($"No expectation for DVC remote '{kind}'."),
        };

        config.Should().Contain("remote = storage").And.Contain("['remote \"storage\"']");
        var urls = config.Split('\n').Where(l => l.TrimStart().StartsWith("url = ", StringComparison.Ordinal)).ToArray();
        urls.Should().ContainSingle().Which.Trim().Should().StartWith("url = " + expectedScheme);
        config.Should().NotContainAny("secret", "password", "access_key_id", "credentialpath", "connection_string");
        tree.Files.Should().Contain([".dvcignore", ".dvc/.gitignore", "dvc.yaml", "dvc.lock"]);
        (await File.ReadAllTextAsync(Path.Combine(tree.Root, ".dvc", ".gitignore"))).Should().Contain("/config.local", "local credentials must never be committed");
    }

    private static YamlMappingNode Load(string path)
    {
        var yaml = new YamlStream();
        using var reader = File.OpenText(path);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, string key) => node.Children[new YamlScalarNode(key)].ToString();

    private static YamlSequenceNode Sequence(YamlMappingNode node, string key) => (YamlSequenceNode)node.Children[new YamlScalarNode(key)];
}
