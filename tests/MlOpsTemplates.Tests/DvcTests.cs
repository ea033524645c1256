using MlOpsTemplates.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The DVC files are truthful without DVC installed: the one pipeline stage runs the Makefile's command for every
/// model on whole folders, and the remote placeholder is of the chosen kind.
/// </summary>
public sealed class DvcTests
{
    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task One_train_stage_runs_make_train_for_every_model_on_whole_folders(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var stages = (YamlMappingNode)Load(Path.Combine(tree.Root, "dvc.yaml")).Children[new YamlScalarNode("stages")];

        stages.Children.Keys.Select(k => k.ToString()).Should().Equal(["train"], "one stage trains every model: adding a model never edits dvc.yaml");
        var train = (YamlMappingNode)stages.Children[new YamlScalarNode("train")];
        var dryRun = (await Make.RunAsync(tree.Root, ["--dry-run", "train"], Path.Combine(tree.Root, "..", "make-n-train.log"))).EnsureSuccess();
        dryRun.StandardOutput.Trim().Should().Be(Scalar(train, "cmd"), "the stage runs exactly what make train runs (every model)");

        var models = tree.Files.Where(f => f.StartsWith("params/", StringComparison.Ordinal) && f.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        models.Should().HaveCount(1 + tree.Scenario.Additions.Count);
        var deps = Sequence(train, "deps").Select(d => d.ToString()).ToArray();
        deps.Should().Contain(["data", "params"]);
        foreach (var dependency in deps)
        {
            Directory.Exists(Path.Combine(tree.Root, dependency)).Should().BeTrue($"train depends on the folder {dependency}, never on one model's file");
        }

        foreach (var model in models)
        {
            var files = new[] { $"data/{model}.csv", $"params/{model}.yaml" };
            files.Should().OnlyContain(f => tree.Files.Contains(f) && deps.Any(d => f.StartsWith(d + "/", StringComparison.Ordinal)),
                $"the files of {model} are inside the stage's dependencies");
        }

        var outs = Sequence(train, "outs").Single();
        var output = ((YamlMappingNode)outs).Children.Single();
        output.Key.ToString().Should().Be("models", "every model writes to models/<name>/");
        Scalar((YamlMappingNode)output.Value, "persist").Should().Be("true", "DVC keeps the served models, so each gate compares with the model it replaces");
        train.Children.ContainsKey(new YamlScalarNode("params")).Should().BeFalse("params.yaml is gone: parameters are the files of params/");
        train.Children.ContainsKey(new YamlScalarNode("metrics")).Should().BeFalse("a metrics list would need an edit per model, inside the output folder");

        var text = File.ReadAllText(Path.Combine(tree.Root, "dvc.yaml"));
        text.Should().Contain("models/<name>/metrics.json").And.Contain("dvc metrics show models/*/metrics.json", "dvc.yaml says where each model's metrics are");
        tree.Files.Should().NotContain("dvc.lock", "dvc repro writes dvc.lock on its first run");
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
        tree.Files.Should().Contain([".dvcignore", ".dvc/.gitignore", "dvc.yaml"]);
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
