using System.Text;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated repository documents itself, and its documents stay true to the tree they ship in:
/// every document exists, every link and every make target they mention is real, the owner is named,
/// the bug report form is usable, and nothing points at files an option left out.
/// </summary>
public sealed partial class DocsTests
{
    private static readonly string[] s_documents =
    [
        "README.md",
        "CONTRIBUTING.md",
        "CODEOWNERS",
        "docs/PRESS_RELEASE.md",
        "docs/FUNCTIONAL_SPEC.md",
        "docs/ARCHITECTURE.md",
        "docs/DATABASE.md",
        "docs/MONITORING.md",
        "docs/ONBOARDING.md",
        ".github/PULL_REQUEST_TEMPLATE.md",
        ".github/ISSUE_TEMPLATE/bug_report.yml",
        ".github/ISSUE_TEMPLATE/config.yml",
    ];

    private const string DeploymentDoc = "docs/DEPLOYMENT.md";

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Every_document_is_generated_and_deployment_docs_only_with_kubernetes(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);

        tree.Files.Should().Contain(s_documents, $"every scenario documents itself (generated at {tree.Root})");
        if (HasKubernetes(scenario))
        {
            tree.Files.Should().Contain(DeploymentDoc, "the deployment runbook comes with the Kubernetes manifests");
        }
        else
        {
            tree.Files.Should().NotContain(DeploymentDoc, "without Kubernetes there is nothing to deploy");
        }

        var unfinished = s_documents.Append(DeploymentDoc)
            .Where(tree.Files.Contains)
            .SelectMany(path => UnfinishedMarker().Matches(Read(tree, path)).Select(m => $"{path}: '{m.Value}'"))
            .ToArray();
        unfinished.Should().BeEmpty("generated documents are finished text, not placeholders");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Relative_links_of_the_markdown_docs_resolve_to_generated_files(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var checkedLinks = 0;
        var broken = new List<string>();

        foreach (var path in LinkedDocs(tree))
        {
            var folder = Path.GetDirectoryName(Path.Combine(tree.Root, path))!;
            foreach (Match link in MarkdownLink().Matches(Read(tree, path)))
            {
                var target = link.Groups["target"].Value;
                if (ExternalOrAnchor().IsMatch(target))
                {
                    continue;
                }

                checkedLinks++;
                var local = Uri.UnescapeDataString(target.Split('#', '?')[0]);
                var resolved = Path.GetFullPath(Path.Combine(folder, local));
                var inside = resolved.StartsWith(Path.GetFullPath(tree.Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
                if (!inside || !(File.Exists(resolved) || Directory.Exists(resolved)))
                {
                    broken.Add($"{path}: {link.Value}");
                }
            }
        }

        checkedLinks.Should().BeGreaterThan(10, "the docs link to each other and to the repository's files");
        broken.Should().BeEmpty($"every relative link must lead to a generated file (generated at {tree.Root})");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task The_readme_links_every_document_in_docs(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var readmeLinks = MarkdownLink().Matches(Read(tree, "README.md")).Select(m => m.Groups["target"].Value).ToHashSet(StringComparer.Ordinal);

        // Model cards (docs/models/<name>.md) are listed by `make docs`, which finds them by name: a model added later
        // needs no README edit. The README links the card of the model the repository was generated with.
        var docs = tree.Files.Where(f => f.StartsWith("docs/", StringComparison.Ordinal) && f.EndsWith(".md", StringComparison.Ordinal)
            && !f.StartsWith("docs/models/", StringComparison.Ordinal)).ToArray();

        docs.Should().NotBeEmpty();
        docs.Where(d => !readmeLinks.Contains(d)).Should().BeEmpty("the README's documentation index must link every document in docs/");
        Read(tree, "README.md").Should().Contain("](docs/PRESS_RELEASE.md)", "the README sends a newcomer to the press release first");
        readmeLinks.Should().Contain($"docs/models/{SampleModelOf(tree.Scenario)}.md", "the README's table of models links the first model's card");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Every_make_target_the_docs_mention_exists_in_the_makefile(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var targets = MakeTarget().Matches(Read(tree, "Makefile")).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        targets.Should().Contain(["help", "setup", "train", "test", "run"], "the Makefile's own targets are read from it");

        var mentions = new List<(string File, string Target)>();
        foreach (var path in LinkedDocs(tree))
        {
            mentions.AddRange(MakeCommands(CodeOf(Read(tree, path))).Select(t => (path, t)));
        }

        foreach (var path in tree.Files.Where(IsGitHubYaml))
        {
            var withoutComments = string.Join('\n', Read(tree, path).Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
            mentions.AddRange(MakeCommands(withoutComments).Select(t => (path, t)));
        }

        mentions.Select(m => m.Target).Should().Contain(["setup", "train", "test", "run", "lint"], "the docs teach the everyday targets");
        mentions.Where(m => !targets.Contains(m.Target)).Select(m => $"{m.File}: make {m.Target}")
            .Should().BeEmpty($"every 'make <target>' in the docs must exist in the generated Makefile ({string.Join(", ", targets.Order())})");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task The_owner_is_the_maintainer_in_the_readme_and_in_codeowners(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var owner = OwnerOf(scenario);

        var readme = Read(tree, "README.md");
        var maintainers = readme[readme.IndexOf("## Maintainers", StringComparison.Ordinal)..];
        maintainers.Should().Contain(owner, "the README names the owning team under Maintainers");

        var rules = Read(tree, "CODEOWNERS").Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToArray();
        rules.Should().NotBeEmpty();
        rules[0].Should().Equal(new[] { "*", owner }, "the first rule gives the owner every file");
        rules.Where(r => r.Length != 2 || r[1] != owner).Select(r => string.Join(' ', r))
            .Should().BeEmpty($"every CODEOWNERS rule names {owner}");

        var missing = rules.Select(r => r[0]).Where(p => p != "*")
            .Where(p => !File.Exists(Path.Combine(tree.Root, p.Trim('/'))) && !Directory.Exists(Path.Combine(tree.Root, p.Trim('/'))))
            .ToArray();
        missing.Should().BeEmpty("CODEOWNERS must only name paths this repository has");

        var codeowners = rules.Select(r => r[0]).ToArray();
        codeowners.Contains("/deploy/").Should().Be(HasKubernetes(scenario), "/deploy/ is owned exactly when it is generated");
        codeowners.Contains("/.github/").Should().Be(HasGitHubCi(scenario), "the workflows are owned exactly when they are generated");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task The_bug_report_form_asks_for_what_is_needed_to_reproduce(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);

        var form = LoadYaml(tree, ".github/ISSUE_TEMPLATE/bug_report.yml");
        Scalar(form, "name").Should().NotBeNullOrWhiteSpace();
        Scalar(form, "description").Should().NotBeNullOrWhiteSpace();
        var fields = ((YamlSequenceNode)form.Children[new YamlScalarNode("body")]).Children.Cast<YamlMappingNode>()
            .Where(f => f.Children.ContainsKey(new YamlScalarNode("id")))
            .ToDictionary(f => Scalar(f, "id")!, StringComparer.Ordinal);

        fields.Keys.Should().Contain(["what-happened", "expected", "steps", "request", "model-version", "environment", "logs"]);
        foreach (var id in new[] { "what-happened", "expected", "steps", "model-version", "environment" })
        {
            var validations = (YamlMappingNode)fields[id].Children[new YamlScalarNode("validations")];
            Scalar(validations, "required").Should().Be("true", $"the form cannot be sent without '{id}'");
        }

        foreach (var field in fields.Values)
        {
            var type = Scalar(field, "type");
            type.Should().BeOneOf("input", "textarea", "dropdown", "checkboxes");
            Scalar((YamlMappingNode)field.Children[new YamlScalarNode("attributes")], "label").Should().NotBeNullOrWhiteSpace();
        }

        Attribute(fields["request"], "description").Should().Contain("secrets", "callers are reminded not to paste secrets");
        Attribute(fields["model-version"], "description").Should().Contain("/v1/models/<name>").And.Contain("X-Model-Version");
        Attribute(fields["logs"], "description").Should().Contain("trace");

        var environments = ((YamlSequenceNode)((YamlMappingNode)fields["environment"].Children[new YamlScalarNode("attributes")])
            .Children[new YamlScalarNode("options")]).Children.Select(o => o.ToString()).ToArray();
        if (HasKubernetes(scenario))
        {
            environments.Should().Contain(["dev", "stage", "prod"]);
        }
        else
        {
            environments.Should().NotContain(["dev", "stage", "prod"], "without Kubernetes there are no such environments");
        }

        Scalar(LoadYaml(tree, ".github/ISSUE_TEMPLATE/config.yml"), "blank_issues_enabled").Should().Be("false");

        var pullRequest = Read(tree, ".github/PULL_REQUEST_TEMPLATE.md");
        pullRequest.Should().Contain("- [ ]").And.Contain("make test").And.Contain("docs/openapi.json").And.Contain("make openapi")
            .And.Contain("`params/`").And.Contain("docs/models/<name>.md");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Nothing_refers_to_files_the_options_left_out(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var forbidden = new List<string>();
        if (!HasKubernetes(scenario))
        {
            forbidden.AddRange(["deploy/", "DEPLOYMENT.md", "make deploy"]);
        }

        if (!HasGitHubCi(scenario))
        {
            forbidden.Add(".github/workflows");
        }

        ScenarioAssert.EveryFile(
            tree,
            (_, content) =>
            {
                if (FileTree.IsBinary(content))
                {
                    return null;
                }

                var text = Encoding.UTF8.GetString(content);
                var found = forbidden.Where(f => text.Contains(f, StringComparison.Ordinal)).ToArray();
                return found.Length == 0 ? null : $"mentions {string.Join(", ", found.Select(f => $"'{f}'"))}";
            },
            $"options {string.Join(' ', scenario.ExtraArgs)} leave those files out, so nothing may point at them");

        if (HasKubernetes(scenario))
        {
            Read(tree, "README.md").Should().Contain("](docs/DEPLOYMENT.md)", "with Kubernetes the README links the deployment runbook");
        }

        if (HasGitHubCi(scenario))
        {
            Read(tree, "docs/ARCHITECTURE.md").Should().Contain(".github/workflows/", "with GitHub CI the architecture names the workflows");
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task The_prose_describes_the_layout_of_several_models_and_none_of_the_single_model_one(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var stale = new List<string>();
        foreach (var path in s_prose.Where(tree.Files.Contains))
        {
            var text = Read(tree, path);
            stale.AddRange(SingleModelLayout().Matches(text).Select(m => $"{path}: '{m.Value}'"));
        }

        stale.Should().BeEmpty("params.yaml, docs/MODEL_CARD.md, predict-request.json, models/model.zip, models/runs and Model:Path are gone: each model has its own files");

        foreach (var (path, phrases) in new Dictionary<string, string[]>
        {
            ["README.md"] = ["params/<name>.yaml", "docs/models/<name>.md", "docs/examples/<name>.json", "models/<name>/", "make add-model"],
            ["docs/ARCHITECTURE.md"] = ["params/<name>.yaml", "Models/<Name>Model.cs", "models/<name>/", "every model", "GET /v1/models/{name}"],
            ["docs/FUNCTIONAL_SPEC.md"] = ["docs/models/<name>.md", "docs/examples/<name>.json", "every model", "`GET /v1/models/{name}`"],
            ["docs/MONITORING.md"] = ["`model`", "data.<name>", "GET /v1/models/{name}", "by (model)"],
            ["CONTRIBUTING.md"] = ["params/<name>.yaml", "MODEL=<name>", "make openapi", "make add-model"],
        })
        {
            var text = Read(tree, path);
            phrases.Where(p => !text.Contains(p, StringComparison.Ordinal)).Should().BeEmpty($"{path} describes the models generically");
        }

        // Readiness: all models or none, and why; one model's readiness is its metadata endpoint.
        foreach (var path in new[] { "docs/ARCHITECTURE.md", "docs/MONITORING.md", "docs/FUNCTIONAL_SPEC.md" })
        {
            var text = Read(tree, path);
            text.Should().Contain("every model", $"{path} says /health/ready needs every model").And.Contain("/v1/models/{name}", $"{path} names the per-model readiness");
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task The_docs_name_no_sample_model_the_repository_does_not_have(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var kept = SampleModelOf(scenario);
        var models = tree.Files.Where(f => f.StartsWith("params/", StringComparison.Ordinal) && f.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        models.Should().Contain(kept, "the sample model has its params file");
        scenario.Additions.Select(a => a.Name).Except(models).Should().BeEmpty("every added model has its params file");

        var mentions = new List<string>();
        foreach (var other in s_sampleModels.Values.Where(m => !models.Contains(m)))
        {
            var pattern = new Regex(
                $@"docs/models/{other}\.md|examples/{other}\.json|/v1/models/{other}|models/{other}/|params/{other}\.yaml|data/{other}\.csv|`{other}`|{char.ToUpperInvariant(other[0])}{other[1..]}Model"
                + (other == "churn" ? @"|churn" : string.Empty),
                RegexOptions.IgnoreCase);
            foreach (var path in s_prose.Append("docs/DEPLOYMENT.md").Append("Makefile").Append("dvc.yaml").Append("scripts/loadtest.sh")
                         .Append("monitoring/alerts.yaml").Append("monitoring/alerts.test.yaml").Append("monitoring/dashboard.json")
                         .Where(tree.Files.Contains))
            {
                mentions.AddRange(pattern.Matches(Read(tree, path)).Select(m => $"{path}: '{m.Value}' ({other})"));
            }
        }

        mentions.Should().BeEmpty($"a repository with the models {string.Join(", ", models)} names no other sample model");
        Read(tree, "README.md").Should().Contain($"/v1/models/{kept}:predict", "the README shows a call to the repository's first model")
            .And.Contain($"docs/examples/{kept}.json");
    }

    /// <summary>The documents whose prose describes the models (the model cards excepted: each describes its own model).</summary>
    private static readonly string[] s_prose =
    [
        "README.md", "CONTRIBUTING.md", "docs/ARCHITECTURE.md", "docs/FUNCTIONAL_SPEC.md", "docs/MONITORING.md", "docs/DEPLOYMENT.md",
        "docs/ONBOARDING.md", "docs/ML_TEST_SCORE.md", "docs/PRESS_RELEASE.md", "docs/DATABASE.md", "notebooks/README.md",
        ".github/PULL_REQUEST_TEMPLATE.md", ".github/ISSUE_TEMPLATE/bug_report.yml",
    ];

    /// <summary>The sample model `dotnet new mlservice --task` keeps, by task.</summary>
    private static readonly Dictionary<string, string> s_sampleModels = new(StringComparer.Ordinal)
    {
        ["binary"] = "churn",
        ["multiclass"] = "plan",
        ["regression"] = "demand",
    };

    /// <summary>The repository's first model: the sample model of its --task (binary by default).</summary>
    private static string SampleModelOf(Scenario scenario) =>
        s_sampleModels[scenario.OptionValue("--task") ?? TemplateDefinition.Load(scenario.TemplateShortName).DefaultValue("Task")];

    private static bool HasKubernetes(Scenario scenario) => Scenarios.WithKubernetes.Contains(scenario);

    private static bool HasGitHubCi(Scenario scenario) => Scenarios.WithGitHubCi.Contains(scenario);

    /// <summary>The owner handle the repo names: the --owner value (or the template's default) with the @ the template adds.</summary>
    private static string OwnerOf(Scenario scenario) =>
        "@" + (scenario.OptionValue("--owner") ?? TemplateDefinition.Load(scenario.TemplateShortName).DefaultValue("Owner")).TrimStart('@');

    private static string Read(GeneratedTree tree, string path) => File.ReadAllText(Path.Combine(tree.Root, path));

    /// <summary>README.md, CONTRIBUTING.md and every Markdown document under docs/.</summary>
    private static IEnumerable<string> LinkedDocs(GeneratedTree tree) =>
        tree.Files.Where(f => f is "README.md" or "CONTRIBUTING.md"
            || (f.StartsWith("docs/", StringComparison.Ordinal) && f.EndsWith(".md", StringComparison.Ordinal)));

    private static bool IsGitHubYaml(string path) =>
        path.StartsWith(".github/", StringComparison.Ordinal)
        && (path.EndsWith(".yml", StringComparison.Ordinal) || path.EndsWith(".yaml", StringComparison.Ordinal));

    /// <summary>The fenced code blocks and inline code spans of a Markdown text: where commands are written.</summary>
    private static string CodeOf(string markdown)
    {
        var code = new StringBuilder();
        var prose = FencedBlock().Replace(markdown, m =>
        {
            code.AppendLine(m.Value);
            return string.Empty;
        });
        foreach (Match span in InlineCode().Matches(prose))
        {
            code.AppendLine(span.Groups["code"].Value);
        }

        return code.ToString();
    }

    private static IEnumerable<string> MakeCommands(string text) =>
        MakeCommand().Matches(text).Select(m => m.Groups["target"].Value);

    private static YamlMappingNode LoadYaml(GeneratedTree tree, string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Read(tree, path)));
        stream.Documents.Should().ContainSingle($"{path} is one YAML document");
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static string Attribute(YamlMappingNode field, string key) =>
        Scalar((YamlMappingNode)field.Children[new YamlScalarNode("attributes")], key) ?? string.Empty;

    /// <summary>Paths and settings of the layout with one model, gone since each model has its own files.</summary>
    [GeneratedRegex(@"\bparams\.yaml|MODEL_CARD\.md|predict-request\.json|models/model\.zip|models/runs\b|models/manifest\.json|models/metrics\.json|\bModel:Path\b(?!s)|Model__Path\b(?!s)|Model:Name\b|FeatureSchema\b(?!Tests)")]
    private static partial Regex SingleModelLayout();

    [GeneratedRegex(@"\bTODO\b|\bTBD\b|\bFIXME\b|lorem ipsum", RegexOptions.IgnoreCase)]
    private static partial Regex UnfinishedMarker();

    /// <summary>Inline Markdown links and images: [text](target) or [text](target "title").</summary>
    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|#)")]
    private static partial Regex ExternalOrAnchor();

    [GeneratedRegex(@"^(?<name>[a-zA-Z][\w-]*)[ \t]*:(?!=)", RegexOptions.Multiline)]
    private static partial Regex MakeTarget();

    [GeneratedRegex(@"(?<![\w./-])make[ \t]+(?<target>[a-z][\w-]*)")]
    private static partial Regex MakeCommand();

    [GeneratedRegex(@"^[ \t]*```.*?^[ \t]*```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"`(?<code>[^`\n]+)`")]
    private static partial Regex InlineCode();
}
