using System.Text;
using System.Text.Json.Nodes;
using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The --auth option: with apikey (the default) the generated service fails closed outside Development,
/// documents the X-Api-Key scheme and takes its keys from a Kubernetes Secret; with none, nothing in the
/// repository mentions API keys. (A running service's 401s are checked end to end.)
/// </summary>
public sealed class ApiKeyTests
{
    private static readonly string[] s_apiKeyWords = ["X-Api-Key", "Auth__ApiKeys", "ApiKeyAuth", "api-keys"];

    [Fact]
    public async Task A_production_service_without_a_key_exits_non_zero_naming_the_variable()
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get("defaults"));
        ServiceAuth.RequiresKey(repo.Scenario).Should().BeTrue("API keys are the default");
        var assembly = repo.BuiltAssembly("Api");
        var spec = DotNetCli.Spec(
            Path.GetDirectoryName(assembly)!,
            [assembly, "--urls", $"http://127.0.0.1:{FreePort.Next()}"],
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = null,
                [ServiceAuth.KeyVariable] = null,
                ["Auth__ApiKeys__1"] = null,
            });

        // Fails closed by itself: no request, no readiness wait, the process simply ends.
        var run = await ProcessRunner.RunAsync(spec, TimeSpan.FromSeconds(60), repo.Log("api-without-key"));

        run.Succeeded.Should().BeFalse($"the service must refuse to start without a key:{Environment.NewLine}{run}");
        run.Output.Should().Contain("No API key is configured").And.Contain(ServiceAuth.KeyVariable, $"the message names the setting to fix:{Environment.NewLine}{run}");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task The_openapi_document_declares_the_api_key_on_every_operation_exactly_with_apikey(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var document = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(tree.Root, "docs", "openapi.json")))!;
        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value!)).ToArray();
        operations.Should().NotBeEmpty();

        if (ServiceAuth.RequiresKey(tree.Scenario))
        {
            var scheme = document["components"]!["securitySchemes"]!["ApiKey"]!;
            ((string?)scheme["type"]).Should().Be("apiKey");
            ((string?)scheme["in"]).Should().Be("header");
            ((string?)scheme["name"]).Should().Be(ServiceAuth.Header);
            operations.Should().OnlyContain(o => o["security"]!.ToJsonString() == """[{"ApiKey":[]}]""" && o["responses"]!["401"] != null);
        }
        else
        {
            document["components"]!["securitySchemes"].Should().BeNull();
            operations.Should().OnlyContain(o => o["security"] == null && o["responses"]!["401"] == null);
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Without_api_keys_nothing_mentions_them(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);

        if (ServiceAuth.RequiresKey(scenario))
        {
            var program = tree.Files.Single(f => f.EndsWith(".Api/Program.cs", StringComparison.Ordinal));
            File.ReadAllText(Path.Combine(tree.Root, program)).Should().Contain("builder.AddApiKeyAuthentication();").And.Contain(".RequireApiKey()");
            File.ReadAllText(Path.Combine(tree.Root, "README.md")).Should().Contain("## API keys").And.Contain(ServiceAuth.KeyVariable);
            return;
        }

        tree.Files.Should().NotContain(f => f.Contains("ApiKey", StringComparison.Ordinal) || f.Contains("/Security/", StringComparison.Ordinal));
        ScenarioAssert.EveryFile(
            tree,
            (_, content) =>
            {
                var text = Encoding.UTF8.GetString(content);
                var found = s_apiKeyWords.Where(w => text.Contains(w, StringComparison.Ordinal)).ToArray();
                return found.Length == 0 ? null : $"mentions {string.Join(", ", found)}";
            },
            "--auth none generates no API-key code, settings or docs");
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithKubernetesIds), MemberType = typeof(Scenarios))]
    public async Task The_deployment_takes_the_keys_from_a_secret_it_does_not_ship(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var work = TestRun.ScenarioFolder(scenarioId, "k8s-api-keys");
        var objects = await KubernetesManifests.RenderAsync(Path.Combine(tree.Root, "deploy", "overlays", "prod"), Path.Combine(work, "prod-render.log"));

        var container = objects.SingleOfKind("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var secrets = container["envFrom"]!.AsArray().Select(e => (string?)e!["secretRef"]?["name"]).Where(n => n != null).ToArray();
        objects.Should().NotContain(o => (string?)o["kind"] == "Secret", "keys are never committed: the Secret is created in the cluster");
        if (ServiceAuth.RequiresKey(tree.Scenario))
        {
            secrets.Where(n => n!.EndsWith("-api-keys", StringComparison.Ordinal)).Should().Equal($"{Naming.DnsLabel(tree.Scenario.Name)}-api-keys");
            File.ReadAllText(Path.Combine(tree.Root, "docs", "DEPLOYMENT.md")).Should()
                .Contain($"create secret generic {Naming.DnsLabel(tree.Scenario.Name)}-api-keys").And.Contain($"--from-literal={ServiceAuth.KeyVariable}=");
        }
        else
        {
            secrets.Should().NotContain(n => n!.EndsWith("-api-keys", StringComparison.Ordinal));
        }
    }
}
