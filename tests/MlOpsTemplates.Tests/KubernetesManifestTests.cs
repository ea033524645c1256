using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated Kubernetes deployment: the kustomize base and overlays render and match the Kubernetes
/// schemas, agree with the API they run and with the Makefile's image, and scripts/deploy.sh deploys them
/// (or refuses clearly) without touching the committed files.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private const int ContainerPort = 8080;
    private const string TestImage = "registry.test.example/platform/svc";
    private const string TestTag = "0a1b2c3d4e5f";

    private static readonly string[] s_environments = ["dev", "stage", "prod"];

    private static readonly string[] s_kinds =
        ["ServiceAccount", "ConfigMap", "Service", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"];

    private static readonly string[] s_recommendedLabels =
    [
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
        "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
    ];

    [Theory]
    [MemberData(nameof(Scenarios.WithKubernetesIds), MemberType = typeof(Scenarios))]
    public async Task The_base_and_every_overlay_render_and_match_the_kubernetes_schemas(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var work = TestRun.ScenarioFolder(scenarioId, "k8s-schemas");
        Directory.GetDirectories(Path.Combine(tree.Root, "deploy", "overlays")).Select(Path.GetFileName)
            .Should().BeEquivalentTo(s_environments, "deploy/overlays holds one overlay per environment");

        foreach (var (name, folder) in Kustomizations(tree))
        {
            var objects = await KubernetesManifests.RenderAsync(folder, Path.Combine(work, $"{name}-render.log"));
            // A repository whose prediction log is a shared PostgreSQL also has its nightly retention job.
            var kinds = ServiceDatabase.Kind(tree.Scenario) == "postgres" && name != "base" ? [.. s_kinds, "CronJob"] : s_kinds;
            objects.Select(o => (string?)o["kind"]).Should().BeEquivalentTo(kinds, $"{name} renders the service's objects, each once");

            var validation = await KubernetesManifests.ValidateAsync(objects, work, name);
            validation.Succeeded.Should().BeTrue($"every object of {name} must match the Kubernetes schemas:{Environment.NewLine}{validation}");
            validation.StandardOutput.Should().Contain($"{objects.Count} valid, 0 invalid");

            // The schemas do not check names; the API server does: DNS-1123 labels, and a Service's must start with a letter.
            foreach (var item in objects)
            {
                var objectName = (string)item["metadata"]!["name"]!;
                var rule = (string?)item["kind"] == "Service" ? ServiceName() : ObjectName();
                rule.IsMatch(objectName).Should().BeTrue($"{item["kind"]} name '{objectName}' in {name} must be a valid Kubernetes name");
            }
        }
    }

    [Fact]
    public async Task The_schema_validation_reports_broken_manifests()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var work = TestRun.ScenarioFolder("defaults", "k8s-broken");

        // A copy of deploy/ whose Deployment asks for replicas: "two", rendered like the real one.
        var deploy = Path.Combine(work, "deploy");
        FileTree.Copy(Path.Combine(tree.Root, "deploy"), deploy);
        var deploymentFile = Path.Combine(deploy, "base", "deployment.yaml");
        var yaml = File.ReadAllText(deploymentFile);
        ReplicasLine().IsMatch(yaml).Should().BeTrue("the base Deployment sets its replicas");
        File.WriteAllText(deploymentFile, ReplicasLine().Replace(yaml, "$1\"two\"", 1));
        var broken = await KubernetesManifests.RenderAsync(Path.Combine(deploy, "base"), Path.Combine(work, "broken-render.log"));

        var rejected = await KubernetesManifests.ValidateAsync(broken, work, "replicas-two");
        rejected.Succeeded.Should().BeFalse($"a Deployment with replicas: \"two\" is invalid:{Environment.NewLine}{rejected}");
        rejected.StandardOutput.Should().MatchRegex(@"invalid apps/v1/Deployment \S+: .*replicas must be integer");

        // Objects of kinds the schemas do not know are failures too, never skipped.
        var intact = await KubernetesManifests.RenderAsync(Path.Combine(tree.Root, "deploy", "base"), Path.Combine(work, "intact-render.log"));
        var unknownKind = new JsonObject { ["apiVersion"] = "example.com/v1", ["kind"] = "Widget", ["metadata"] = new JsonObject { ["name"] = "w" } };
        var unknown = await KubernetesManifests.ValidateAsync(intact.Append(unknownKind), work, "unknown-kind");
        unknown.Succeeded.Should().BeFalse($"an unknown kind must fail the validation:{Environment.NewLine}{unknown}");
        unknown.StandardOutput.Should().Contain("unknown apiVersion/kind example.com/v1/Widget");

        // The same objects without the broken ones pass: the failures above come from the breakage.
        (await KubernetesManifests.ValidateAsync(intact, work, "intact")).EnsureSuccess();
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithKubernetesIds), MemberType = typeof(Scenarios))]
    public async Task The_overlays_differ_in_namespace_replicas_resources_and_image_tag(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var overlays = await RenderOverlaysAsync(tree, "k8s-overlays");

        var summaries = overlays.ToDictionary(o => o.Key, o =>
        {
            var objects = o.Value;
            var deployment = objects.SingleOfKind("Deployment");
            var hpa = objects.SingleOfKind("HorizontalPodAutoscaler");
            var namespaces = objects.Select(x => (string?)x["metadata"]!["namespace"]).Distinct().ToArray();
            namespaces.Should().ContainSingle($"every object of {o.Key} goes to the overlay's namespace").Which.Should().NotBeNullOrEmpty();
            var replicas = deployment["spec"]!["replicas"]!.GetValue<int>();
            var minReplicas = hpa["spec"]!["minReplicas"]!.GetValue<int>();
            var maxReplicas = hpa["spec"]!["maxReplicas"]!.GetValue<int>();
            replicas.Should().Be(minReplicas, $"{o.Key} starts at its autoscaler's minimum");
            maxReplicas.Should().BeGreaterThanOrEqualTo(minReplicas);
            ((string?)hpa["spec"]!["scaleTargetRef"]!["name"]).Should().Be((string?)deployment["metadata"]!["name"]);
            return new
            {
                Namespace = namespaces[0]!,
                Replicas = replicas,
                MaxReplicas = maxReplicas,
                Resources = ApiContainer(deployment)["resources"]!.ToJsonString(),
                Tag = Tag((string)ApiContainer(deployment)["image"]!),
            };
        });

        summaries.Values.Select(s => s.Namespace).Should().OnlyHaveUniqueItems("each environment has its own namespace");
        summaries.Values.Select(s => s.Replicas).Should().OnlyHaveUniqueItems("replica counts differ per environment");
        summaries.Values.Select(s => s.Resources).Should().OnlyHaveUniqueItems("resources differ per environment");
        summaries.Values.Select(s => s.Tag).Should().OnlyHaveUniqueItems("each overlay sets its own image tag");
        summaries["dev"].Replicas.Should().BeLessThan(summaries["stage"].Replicas);
        summaries["stage"].Replicas.Should().BeLessThan(summaries["prod"].Replicas);
        summaries["dev"].MaxReplicas.Should().BeLessThan(summaries["prod"].MaxReplicas);
        summaries.Values.Select(s => s.Namespace).Should().AllSatisfy(ns => ns.Should().StartWith(Naming.DnsLabel(tree.Scenario.Name)));
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithKubernetesIds), MemberType = typeof(Scenarios))]
    public async Task Rendered_images_are_the_makefile_image_in_the_chosen_registry(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var registry = scenario.OptionValue("--registry") ?? TemplateDefinition.Load(scenario.TemplateShortName).DefaultValue("Registry");
        var makefileImage = MakefileImage().Match(File.ReadAllText(Path.Combine(tree.Root, "Makefile")));
        makefileImage.Success.Should().BeTrue("the Makefile defines IMAGE ?= ...");
        var image = makefileImage.Groups[1].Value.Trim();

        image.Should().Be($"{registry}/{Naming.DnsLabel(scenario.Name)}", "the image is <registry>/<name>");
        var work = TestRun.ScenarioFolder(scenarioId, "k8s-images");
        foreach (var (name, folder) in Kustomizations(tree))
        {
            var objects = await KubernetesManifests.RenderAsync(folder, Path.Combine(work, $"{name}-render.log"));
            var images = objects.OfKind("Deployment").SelectMany(Containers).Select(c => (string)c["image"]!).ToArray();
            images.Should().NotBeEmpty().And.AllSatisfy(i => ImageName(i).Should().Be(image, $"{name} deploys the image make docker-build builds"));
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithKubernetesIds), MemberType = typeof(Scenarios))]
    public async Task Probes_and_ports_agree_with_the_api(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        // The probe paths are constants of the serving platform package the repository references.
        var source = File.ReadAllText(Path.Combine(RepoPaths.Templates, "mlservice", "platform", "MlOps.Platform.Serving", "ServiceDefaults.cs"));
        var livePath = Constant(source, "LivePath");
        var readyPath = Constant(source, "ReadyPath");

        var dockerfile = Path.Combine(tree.Root, "Dockerfile");
        if (File.Exists(dockerfile))
        {
            var exposed = DockerExpose().Matches(File.ReadAllText(dockerfile)).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            exposed.Should().Equal([ContainerPort], "the image exposes the port the Deployment probes");
        }

        foreach (var (environment, objects) in await RenderOverlaysAsync(tree, "k8s-probes"))
        {
            var container = ApiContainer(objects.SingleOfKind("Deployment"));
            var ports = container["ports"]!.AsArray().Select(p => p!).ToArray();
            ports.Select(p => p["containerPort"]!.GetValue<int>()).Should().Equal([ContainerPort], $"{environment}: the API listens on {ContainerPort}");
            var portName = (string)ports[0]["name"]!;

            foreach (var (probe, path) in new[] { ("livenessProbe", livePath), ("readinessProbe", readyPath), ("startupProbe", readyPath) })
            {
                var httpGet = container[probe]?["httpGet"];
                httpGet.Should().NotBeNull($"{environment}: the container needs a {probe}");
                ((string?)httpGet!["path"]).Should().Be(path, $"{environment}: {probe} calls the API's endpoint");
                httpGet["port"]!.ToString().Should().BeOneOf(portName, ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            var settings = ConfigMapOf(objects, container);
            ((string?)settings["ASPNETCORE_HTTP_PORTS"]).Should().Be(ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var service = objects.SingleOfKind("Service");
            service["spec"]!["ports"]!.AsArray().Select(p => p!["targetPort"]!.ToString()).Should().Equal([portName]);
            var ingress = objects.SingleOfKind("NetworkPolicy")["spec"]!["ingress"]!.AsArray();
            ingress.SelectMany(rule => rule!["ports"]!.AsArray()).Select(p => p!["port"]!.ToString())
                .Should().Equal([portName], $"{environment}: only the API port accepts traffic");
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithKubernetesIds), MemberType = typeof(Scenarios))]
    public async Task The_deployment_follows_the_platform_conventions(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var slug = Naming.DnsLabel(tree.Scenario.Name);
        foreach (var (environment, objects) in await RenderOverlaysAsync(tree, "k8s-conventions"))
        {
            var because = $"({environment})";
            foreach (var item in objects)
            {
                var labels = item["metadata"]!["labels"]!.AsObject();
                labels.Select(l => l.Key).Should().Contain(s_recommendedLabels, $"{item["kind"]} carries the recommended labels {because}");
                // The retention job is named apart, so the Service and the PodDisruptionBudget never select its pods.
                ((string?)labels["app.kubernetes.io/name"]).Should().Be((string?)item["kind"] == "CronJob" ? $"{slug}-maintenance" : slug);
                ((string?)labels["app.kubernetes.io/part-of"]).Should().Be(slug);
            }

            var serviceSelector = objects.SingleOfKind("Service")["spec"]!["selector"]!.AsObject();
            foreach (var job in objects.Where(o => (string?)o["kind"] == "CronJob"))
            {
                var jobPodLabels = job["spec"]!["jobTemplate"]!["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
                serviceSelector.All(s => (string?)jobPodLabels[s.Key] == (string?)s.Value).Should().BeFalse($"the Service must not send traffic to the retention job's pods {because}");
            }

            var deployment = objects.SingleOfKind("Deployment");
            var template = deployment["spec"]!["template"]!;
            var podLabels = template["metadata"]!["labels"]!.AsObject();
            podLabels.Select(l => l.Key).Should().Contain(s_recommendedLabels, because);
            var pod = template["spec"]!;
            var container = ApiContainer(deployment);

            // Identity: its own service account, no API token mounted.
            var account = objects.OfKind("ServiceAccount").Single(a => (string?)a["metadata"]!["name"] == (string?)pod["serviceAccountName"]);
            ((bool?)account["automountServiceAccountToken"]).Should().BeFalse(because);
            ((bool?)pod["automountServiceAccountToken"]).Should().BeFalse(because);

            // Settings from the ConfigMap, as environment.
            var settings = ConfigMapOf(objects, container);
            // Every model is served from <Directory>/<name>/model.zip, where the image bakes them in.
            ((string?)settings["Model__Directory"]).Should().Be("/app/models", because);
            settings.Select(s => s.Key).Should().NotContain(["Model__Path", "Model__Name"], "the serving settings have no single-model keys any more, and an unknown Model key stops the start " + because);
            ((string?)settings["ASPNETCORE_ENVIRONMENT"]).Should().Be("Production", because);
            settings.Select(s => s.Key).Should().Contain(["Model__MaxBatchSize", "Model__MaxRequestBodyBytes"], because);

            // Non-root (the .NET images' APP_UID), read-only root file system with a writable /tmp.
            ((bool?)pod["securityContext"]!["runAsNonRoot"]).Should().BeTrue(because);
            ((int?)pod["securityContext"]!["runAsUser"]).Should().Be(1654, because);
            ((int?)pod["securityContext"]!["runAsGroup"]).Should().Be(1654, because);
            var containerSecurity = container["securityContext"]!;
            ((bool?)containerSecurity["readOnlyRootFilesystem"]).Should().BeTrue(because);
            ((bool?)containerSecurity["allowPrivilegeEscalation"]).Should().BeFalse(because);
            containerSecurity["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c).Should().Contain("ALL", because);
            var tmp = container["volumeMounts"]!.AsArray().Single(m => (string?)m!["mountPath"] == "/tmp")!;
            pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)tmp["name"])!["emptyDir"].Should().NotBeNull(because);

            // Sized, spread, and drained gracefully.
            foreach (var bound in new[] { "requests", "limits" })
            {
                container["resources"]![bound]!.AsObject().Select(r => r.Key).Should().Contain(["cpu", "memory"], because);
            }

            (pod["topologySpreadConstraints"]?.AsArray().Count > 0 || pod["affinity"]?["podAntiAffinity"] is not null)
                .Should().BeTrue($"replicas are spread over nodes {because}");
            var preStopSeconds = container["lifecycle"]?["preStop"]?["sleep"]?["seconds"]?.GetValue<int>();
            preStopSeconds.Should().BePositive($"readiness turns off before SIGTERM {because}");
            pod["terminationGracePeriodSeconds"]!.GetValue<int>().Should().BeGreaterThan(preStopSeconds!.Value, because);

            // Every selector picks the Deployment's pods; the autoscaler scales on CPU.
            foreach (var (kind, selector) in new[]
            {
                ("Service", objects.SingleOfKind("Service")["spec"]!["selector"]!),
                ("PodDisruptionBudget", objects.SingleOfKind("PodDisruptionBudget")["spec"]!["selector"]!["matchLabels"]!),
                ("NetworkPolicy", objects.SingleOfKind("NetworkPolicy")["spec"]!["podSelector"]!["matchLabels"]!),
                ("Deployment", deployment["spec"]!["selector"]!["matchLabels"]!),
            })
            {
                selector.AsObject().Should().NotBeEmpty();
                foreach (var (key, value) in selector.AsObject())
                {
                    ((string?)podLabels[key]).Should().Be((string?)value, $"the {kind} selects the pods {because}");
                }
            }

            var metrics = objects.SingleOfKind("HorizontalPodAutoscaler")["spec"]!["metrics"]!.AsArray();
            metrics.Should().Contain(m => (string?)m!["resource"]!["name"] == "cpu" && (string?)m["resource"]!["target"]!["type"] == "Utilization", because);
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithKubernetesIds), MemberType = typeof(Scenarios))]
    public async Task Deploy_preview_prints_the_requested_image_and_changes_no_file(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var work = TestRun.ScenarioFolder(scenarioId, "k8s-preview");
        var repo = Path.Combine(work, "repo");
        FileTree.Copy(tree.Root, repo);
        var before = Fingerprint(repo);
        var overlay = await KubernetesManifests.RenderAsync(Path.Combine(repo, "deploy", "overlays", "dev"), Path.Combine(work, "dev-render.log"));

        // Through make, as CI's manifests job calls it: its output must be pure YAML, ready for a validator.
        var preview = (await RunAsync(repo, "make", ["--no-print-directory", "deploy-preview", "ENV=dev", $"IMAGE={TestImage}", $"TAG={TestTag}"], Path.Combine(work, "deploy-preview.log"))).EnsureSuccess();

        var printed = KubernetesManifests.ParseYaml(preview.StandardOutput);
        printed.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}").Should().BeEquivalentTo(overlay.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}"), "the preview is the dev overlay");
        printed.OfKind("Deployment").SelectMany(Containers).Select(c => (string?)c["image"]).Should().AllBeEquivalentTo($"{TestImage}:{TestTag}");
        printed.Select(o => (string?)o["metadata"]!["namespace"]).Should().AllBeEquivalentTo((string?)overlay[0]["metadata"]!["namespace"]);
        Fingerprint(repo).Should().Equal(before, "rendering must not modify, add or remove a file of the repository");
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithKubernetesIds), MemberType = typeof(Scenarios))]
    public async Task Deploying_to_an_unknown_environment_is_refused_naming_the_valid_ones(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var work = TestRun.ScenarioFolder(scenarioId, "k8s-unknown-env");

        var script = await RunAsync(tree.Root, "bash", ["scripts/deploy.sh", "--dry-run", "qa", TestImage, TestTag], Path.Combine(work, "deploy-qa.log"));
        var make = await Make.RunAsync(tree.Root, ["deploy", "ENV=qa"], Path.Combine(work, "make-deploy-qa.log"));

        foreach (var result in new[] { script, make })
        {
            result.Succeeded.Should().BeFalse($"ENV=qa is no overlay:{Environment.NewLine}{result}");
            result.StandardError.Should().Contain("'qa'").And.ContainAll(s_environments);
            result.StandardOutput.Should().NotContain("kind: Deployment");
        }
    }

    [Fact]
    public async Task Deploying_without_kubectl_says_kubectl_is_missing()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var work = TestRun.ScenarioFolder("defaults", "k8s-no-kubectl");
        var path = ToolPath.Without("kubectl");
        RealKubectl().Should().NotBeNull("kubectl is installed here; the PATH below hides it");

        var make = await Make.RunAsync(tree.Root, ["deploy", "ENV=dev"], Path.Combine(work, "make-deploy.log"), path);
        var script = await RunAsync(tree.Root, "bash", ["scripts/deploy.sh", "--dry-run", "dev", TestImage, TestTag], Path.Combine(work, "deploy.log"), path);

        foreach (var result in new[] { make, script })
        {
            result.Succeeded.Should().BeFalse($"nothing can be deployed without kubectl:{Environment.NewLine}{result}");
            result.StandardError.Should().Contain("kubectl").And.Contain("not installed");
        }
    }

    [Fact]
    public async Task Make_deploy_applies_the_rendered_manifests_and_waits_for_the_rollout()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var work = TestRun.ScenarioFolder("defaults", "k8s-deploy");
        var repo = Path.Combine(work, "repo");
        FileTree.Copy(tree.Root, repo);
        var before = Fingerprint(repo);
        var stage = await KubernetesManifests.RenderAsync(Path.Combine(repo, "deploy", "overlays", "stage"), Path.Combine(work, "stage-render.log"));
        var stageNamespace = (string)stage[0]["metadata"]!["namespace"]!;
        var deploymentName = (string)stage.SingleOfKind("Deployment")["metadata"]!["name"]!;

        // A kubectl that renders with the real one and records what it would do to a cluster.
        var calls = Path.Combine(work, "kubectl-calls.log");
        var applied = Path.Combine(work, "applied.yaml");
        var fakeKubectl = Path.Combine(work, "fake-bin", "kubectl");
        Directory.CreateDirectory(Path.GetDirectoryName(fakeKubectl)!);
        await File.WriteAllTextAsync(fakeKubectl, $"""
            #!/usr/bin/env bash
            printf '%s\n' "$*" >> '{calls}'
            case "$1" in
              kustomize) exec '{RealKubectl()}' "$@" ;;
              config) echo test-cluster ;;
              apply) cat "$3" > '{applied}' ;;
              rollout) echo "deployment \"$3\" successfully rolled out" ;;
              *) echo "unexpected kubectl call: $*" >&2; exit 1 ;;
            esac

            """.ReplaceLineEndings("\n"));
        (await ProcessRunner.RunAsync(new ProcessSpec("chmod", ["+x", fakeKubectl], work), TimeSpan.FromSeconds(10))).EnsureSuccess();
        var path = $"{Path.GetDirectoryName(fakeKubectl)}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";

        var deploy = await Make.RunAsync(repo, ["deploy", "ENV=stage", $"IMAGE={TestImage}", $"TAG={TestTag}"], Path.Combine(work, "make-deploy.log"), path);

        deploy.EnsureSuccess();
        var kubectlCalls = File.ReadAllLines(calls);
        kubectlCalls.Should().ContainMatch("apply -f *");
        kubectlCalls.Should().Contain($"rollout status deployment/{deploymentName} --namespace {stageNamespace} --timeout 5m");
        Array.FindIndex(kubectlCalls, c => c.StartsWith("apply", StringComparison.Ordinal))
            .Should().BeLessThan(Array.FindIndex(kubectlCalls, c => c.StartsWith("rollout", StringComparison.Ordinal)), "the rollout is awaited after applying");
        var objects = KubernetesManifests.ParseYaml(File.ReadAllText(applied));
        objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}").Should().BeEquivalentTo(stage.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}"));
        objects.Select(o => (string?)o["metadata"]!["namespace"]).Should().AllBeEquivalentTo(stageNamespace);
        objects.OfKind("Deployment").SelectMany(Containers).Select(c => (string?)c["image"]).Should().AllBeEquivalentTo($"{TestImage}:{TestTag}");
        Fingerprint(repo).Should().Equal(before, "deploying must not modify the repository");
    }

    [Fact]
    public async Task Without_kubernetes_there_are_no_manifests_and_no_deploy_targets()
    {
        var without = await GeneratedTree.GetAsync(Scenarios.Get("no-ci-no-deploy"));
        var with = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var work = TestRun.ScenarioFolder("no-ci-no-deploy", "k8s-absent");

        Directory.Exists(Path.Combine(without.Root, "deploy")).Should().BeFalse();
        File.Exists(Path.Combine(without.Root, "scripts", "deploy.sh")).Should().BeFalse();
        var makefile = File.ReadAllText(Path.Combine(without.Root, "Makefile"));
        makefile.Should().NotMatchRegex(@"(?m)^(deploy|deploy-preview)\s*:", "the Makefile has no deploy targets")
            .And.NotMatchRegex(@"(?m)^\.PHONY:.*\bdeploy\b").And.NotContain("scripts/deploy.sh");
        var help = (await Make.RunAsync(without.Root, ["help"], Path.Combine(work, "make-help.log"))).EnsureSuccess();
        help.StandardOutput.Should().Contain("docker-build").And.NotContain("deploy");
        var deploy = await Make.RunAsync(without.Root, ["deploy"], Path.Combine(work, "make-deploy.log"));
        deploy.Succeeded.Should().BeFalse();

        // The default repo does list them: the absence above is the option's doing.
        var helpWith = (await Make.RunAsync(with.Root, ["help"], Path.Combine(work, "make-help-defaults.log"))).EnsureSuccess();
        helpWith.StandardOutput.Should().Contain("deploy-preview").And.MatchRegex(@"(?m)^\s*deploy\s");
    }

    private static IEnumerable<(string Name, string Folder)> Kustomizations(GeneratedTree tree) =>
        new[] { ("base", Path.Combine(tree.Root, "deploy", "base")) }
            .Concat(s_environments.Select(e => (e, Path.Combine(tree.Root, "deploy", "overlays", e))));

    private static async Task<Dictionary<string, IReadOnlyList<JsonObject>>> RenderOverlaysAsync(GeneratedTree tree, string purpose)
    {
        var work = TestRun.ScenarioFolder(tree.Scenario.Id, purpose);
        var rendered = new Dictionary<string, IReadOnlyList<JsonObject>>(StringComparer.Ordinal);
        foreach (var environment in s_environments)
        {
            rendered[environment] = await KubernetesManifests.RenderAsync(
                Path.Combine(tree.Root, "deploy", "overlays", environment), Path.Combine(work, $"{environment}-render.log"));
        }

        return rendered;
    }

    private static IEnumerable<JsonObject> Containers(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!.AsObject());

    /// <summary>The container serving the API: the one with an http port.</summary>
    private static JsonObject ApiContainer(JsonObject deployment) =>
        Containers(deployment).Should().ContainSingle(c => c["ports"] != null && c["ports"]!.AsArray().Any(p => (string?)p!["name"] == "http")).Subject;

    /// <summary>The data of the ConfigMap the container takes its environment from (fails when it is not rendered).</summary>
    private static JsonObject ConfigMapOf(IEnumerable<JsonObject> objects, JsonObject container)
    {
        var name = container["envFrom"]!.AsArray().Select(e => (string?)e!["configMapRef"]?["name"]).Should().ContainSingle(n => n != null).Subject;
        return objects.OfKind("ConfigMap").Should().ContainSingle(c => (string?)c["metadata"]!["name"] == name, "envFrom must name a ConfigMap of the same manifests")
            .Subject["data"]!.AsObject();
    }

    private static string ImageName(string image) => image[..image.LastIndexOf(':')];

    private static string Tag(string image) => image[(image.LastIndexOf(':') + 1)..];

    private static string Constant(string source, string name)
    {
        var match = Regex.Match(source, $"""const string {name} = "([^"]+)";""");
        match.Success.Should().BeTrue($"ServiceDefaults declares {name}");
        return match.Groups[1].Value;
    }

    private static Task<ProcessResult> RunAsync(string folder, string program, IEnumerable<string> arguments, string logFile, string? path = null)
    {
        var spec = DotNetCli.Spec(folder, arguments, path is null ? null : new Dictionary<string, string?> { ["PATH"] = path }) with { FileName = program };
        return ProcessRunner.RunAsync(spec, TimeSpan.FromMinutes(2), logFile);
    }

    /// <summary>The kubectl on this machine's PATH (the tests install it), or null.</summary>
    private static string? RealKubectl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "kubectl"))
            .FirstOrDefault(File.Exists);

    /// <summary>Every file of a folder with a hash of its bytes.</summary>
    private static string[] Fingerprint(string root) =>
        FileTree.RelativeFiles(root).Select(f => $"{f} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(root, f))))}").ToArray();

    [GeneratedRegex(@"(?m)^\s*IMAGE \?=(.+)$")]
    private static partial Regex MakefileImage();

    [GeneratedRegex(@"(?m)^\s*EXPOSE\s+([0-9]+)")]
    private static partial Regex DockerExpose();

    [GeneratedRegex(@"(?m)^(  replicas: )[0-9]+$")]
    private static partial Regex ReplicasLine();

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex ServiceName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex ObjectName();
}
