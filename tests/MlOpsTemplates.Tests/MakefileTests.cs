using System.Net;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated Makefile is the one entry point a new hire needs: `make` explains it, its everyday targets work on a
/// fresh repo, and targets needing a missing tool say which tool and how to get it.
/// </summary>
[Collection(TrainsSharedRepos.Name)]
public sealed class MakefileTests(ITestOutputHelper output)
{
    private static readonly string[] s_everyRepoTargets =
        ["help", "setup", "build", "data", "data-pull", "train", "evaluate", "runs", "runs-compare", "promote", "rollback", "model-card",
         "export-onnx", "add-model", "openapi", "test", "coverage", "lint", "format", "run", "loadtest", "docs", "docker-build", "docker-run", "clean",
         "template-update", "template-check"];

    private static readonly string[] s_kubernetesTargets = ["deploy", "deploy-preview"];

    /// <summary>The prediction log's targets (every --database but none), and the local PostgreSQL's (postgres).</summary>
    private static readonly string[] s_databaseTargets = ["db-migrate", "export-feedback", "db-prune"];

    private static readonly string[] s_postgresTargets = ["db-up", "db-down"];

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Make_alone_lists_every_target_with_its_description(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var makefile = MakefileModel.Load(tree.Root);
        var kubernetes = tree.Scenario.OptionValue("--deploy") is null or "kubernetes";
        var database = ServiceDatabase.Kind(tree.Scenario);

        var help = (await Make.RunAsync(tree.Root, [], Path.Combine(tree.Root, "..", "make-help.log"))).EnsureSuccess();

        var expected = s_everyRepoTargets
            .Concat(kubernetes ? s_kubernetesTargets : [])
            .Concat(database == "none" ? [] : s_databaseTargets)
            .Concat(database == "postgres" ? s_postgresTargets : [])
            .ToArray();
        makefile.DocumentedTargets.Keys.Should().BeEquivalentTo(expected);
        makefile.PhonyTargets.Should().BeEquivalentTo(expected, "every target is a command, declared .PHONY");
        foreach (var (target, description) in makefile.DocumentedTargets)
        {
            help.Output.Should().MatchRegex($@"(?m)^\s+{target}\s+{System.Text.RegularExpressions.Regex.Escape(description)}$", $"`make` must list {target}");
        }

        // The targets that work on one model say so, and what they do with it.
        foreach (var target in new[] { "data", "evaluate", "runs", "runs-compare", "promote", "rollback", "model-card", "export-onnx", "loadtest" })
        {
            makefile.DocumentedTargets[target].Should().Contain("MODEL=<name>", $"`make help` tells how to choose the model of make {target}");
        }

        makefile.DocumentedTargets["train"].Should().Contain("every model").And.Contain("MODEL=<name>");
        makefile.DocumentedTargets["model-card"].Should().Contain("docs/models/<name>.md").And.Contain("generated section");
        makefile.DocumentedTargets["add-model"].Should().Contain("NAME=<name>").And.Contain("TASK=binary|multiclass|regression").And.Contain("DATA=<file.csv> LABEL=<column>").And.Contain("make openapi");
        makefile.DocumentedTargets["openapi"].Should().Contain("docs/openapi.json");
    }

    [Fact]
    public async Task Make_openapi_runs_only_the_document_test_with_update_openapi()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));

        var dryRun = (await Make.RunAsync(tree.Root, ["--dry-run", "openapi"], Path.Combine(tree.Root, "..", "make-n-openapi.log"))).EnsureSuccess();
        var addModel = (await Make.RunAsync(tree.Root, ["--dry-run", "add-model", "NAME=fraud", "TASK=binary"], Path.Combine(tree.Root, "..", "make-n-add-model.log"))).EnsureSuccess();

        dryRun.StandardOutput.Trim().Should().Be(
            "UPDATE_OPENAPI=1 dotnet test \"tests/Acme.Churn.Tests\" --filter \"FullyQualifiedName~OpenApiDocumentTests.The_committed_document_matches_the_running_code\"");
        var test = File.ReadAllText(Path.Combine(tree.Root, "tests", "Acme.Churn.Tests", "Api", "OpenApiDocumentTests.cs"));
        test.Should().Contain("class OpenApiDocumentTests").And.Contain("public async Task The_committed_document_matches_the_running_code()")
            .And.Contain("\"UPDATE_OPENAPI\") == \"1\"", "the filter names the test that rewrites docs/openapi.json when UPDATE_OPENAPI=1");
        addModel.StandardOutput.Should().Contain("bash scripts/add-model.sh \"fraud\" \"binary\"").And.Contain("openapi", "make add-model regenerates the contract after adding the model");
        addModel.StandardOutput.IndexOf("scripts/add-model.sh", StringComparison.Ordinal).Should()
            .BeLessThan(addModel.StandardOutput.LastIndexOf("openapi", StringComparison.Ordinal), "the contract is regenerated after the model is added");
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithAddedModelsIds), MemberType = typeof(Scenarios))]
    public async Task Make_add_model_leaves_every_model_in_the_committed_openapi_document(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var models = tree.Files.Where(f => f.StartsWith("params/", StringComparison.Ordinal) && f.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();

        var paths = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tree.Root, "docs", "openapi.json")))!["paths"]!.AsObject()
            .Select(p => p.Key).ToArray();

        models.Should().HaveCount(1 + tree.Scenario.Additions.Count);
        foreach (var model in models)
        {
            paths.Should().Contain([$"/v1/models/{model}:predict", $"/v1/models/{model}"], $"make add-model ran make openapi, so the contract has {model}");
        }

        paths.Where(p => p.EndsWith(":predict", StringComparison.Ordinal)).Should().HaveCount(models.Length, "the contract has no model the repository lacks");
        tree.Instantiation.Output.Should().Contain("Regenerating docs/openapi.json (make openapi)");
    }

    [Theory]
    [InlineData("defaults")]
    [InlineData("name-odd")]
    public async Task Data_train_and_evaluate_work_on_a_fresh_repo(string scenarioId)
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get(scenarioId));
        var metrics = Path.Combine(repo.Root, "models", "churn", "metrics.json");
        var evaluation = Path.Combine(repo.Root, "models", "churn", "evaluation.json");
        foreach (var file in new[] { metrics, evaluation })
        {
            if (File.Exists(file))
            {
                File.Delete(file);
            }
        }

        var data = (await Make.RunAsync(repo.Root, ["data"], repo.Log("make-data"))).EnsureSuccess();
        var train = (await Make.RunAsync(repo.Root, ["train"], repo.Log("make-train"))).EnsureSuccess();
        var evaluate = (await Make.RunAsync(repo.Root, ["evaluate"], repo.Log("make-evaluate"))).EnsureSuccess();
        Durations.Report(output, repo, ("make data", data.Duration), ("make train", train.Duration), ("make evaluate", evaluate.Duration));

        data.Output.Should().Contain("1000 valid rows");
        File.Exists(Path.Combine(repo.Root, "models", "churn", "model.zip")).Should().BeTrue(train.ToString());
        File.Exists(metrics).Should().BeTrue("make train writes the metrics of its run: " + train);
        evaluate.Output.Should().Contain("Quality gate passed");
        File.Exists(evaluation).Should().BeTrue(evaluate.ToString());
    }

    [Fact]
    public async Task Make_run_serves_the_trained_model_until_stopped()
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get("defaults"));
        if (!File.Exists(Path.Combine(repo.Root, "models", "churn", "model.zip")))
        {
            (await Make.RunAsync(repo.Root, ["train"], repo.Log("make-train-for-run"))).EnsureSuccess();
        }

        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var spec = DotNetCli.Spec(repo.Root, ["run", $"URLS={url}"], new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = null, [ServiceAuth.KeyVariable] = null }) with { FileName = "make" };
        await using var service = BackgroundProcess.Start(spec, repo.Log("make-run"));
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };

        var ready = await HttpPolling.WaitForStatusAsync(client, "/health/ready", HttpStatusCode.OK, TimeSpan.FromMinutes(3), service);
        var prediction = await JsonHttp.PostAsync(client, "/v1/models/churn:predict", await File.ReadAllTextAsync(Path.Combine(repo.Root, "docs", "examples", "churn.json")));
        output.WriteLine($"make run: ready after {ready.TotalSeconds:F1} s (includes dotnet run's build check)");

        prediction.Status.Should().Be(HttpStatusCode.OK, prediction.ToString());
        prediction.Required("predictions").AsArray().Should().NotBeEmpty();
        (await client.GetAsync(new Uri("/scalar", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK, "make run serves in Development, with the API reference");
        service.Output.Should().Contain("API keys are off in Development", "without a key, make run lets the README's calls through and says so");
    }

    [Theory]
    [InlineData("docker-build", "docker")]
    [InlineData("docker-run", "docker")]
    [InlineData("data-pull", "dvc")]
    public async Task A_target_whose_tool_is_missing_names_the_tool_and_fails(string target, string tool)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));

        var result = await Make.RunAsync(tree.Root, [target], Path.Combine(tree.Root, "..", $"make-{target}-without-{tool}.log"), ToolPath.Without(tool));

        result.Succeeded.Should().BeFalse(result.ToString());
        result.Output.Should().Contain($"'{tool}' is not installed").And.Contain("Install", "the message says how to get the tool");
    }

    [Fact]
    public async Task Docker_build_with_a_client_but_no_engine_says_the_engine_is_not_running()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var folder = TestRun.ScenarioFolder("make", "docker-without-engine");
        // A docker client that cannot reach an engine, as on a laptop where Docker Desktop is stopped.
        var fakeDocker = Path.Combine(folder, "docker");
        await File.WriteAllTextAsync(fakeDocker, "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n");
        (await ProcessRunner.RunAsync(new ProcessSpec("chmod", ["+x", fakeDocker], folder), TimeSpan.FromSeconds(10))).EnsureSuccess();

        var result = await Make.RunAsync(tree.Root, ["docker-build"], Path.Combine(folder, "make.log"), ToolPath.Without("docker", extraFolder: folder));

        result.Succeeded.Should().BeFalse(result.ToString());
        result.Output.Should().Contain("engine is not running");
    }

    [Fact]
    public async Task A_project_name_with_a_space_builds_validates_and_trains_through_make()
    {
        var package = await TemplatePackage.GetAsync();
        var folder = TestRun.ScenarioFolder("make", "name-with-space");
        var root = Path.Combine(folder, "Acme Churn");
        (await package.NewAsync(folder, [Scenarios.MlService, "-n", "Acme Churn", "-o", root, "--no-restore"], Path.Combine(folder, "new.log"))).EnsureCleanSuccess();

        foreach (var target in new[] { "setup", "build", "data", "train" })
        {
            (await Make.RunAsync(root, [target], Path.Combine(folder, $"make-{target}.log"))).EnsureSuccess();
        }

        File.Exists(Path.Combine(root, "models", "churn", "model.zip")).Should().BeTrue();
        Directory.Exists(Path.Combine(root, "src", "Acme Churn.Api")).Should().BeTrue();
    }
}
