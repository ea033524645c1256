using YamlDotNet.RepresentationModel;

namespace Ml_Service.Tests.Deployment;

/// <summary>The Deployment's probes must point at the endpoints the service really maps.</summary>
public class KubernetesProbeTests
{
    [Theory]
    [InlineData("livenessProbe", ServiceDefaults.LivePath)]
    [InlineData("readinessProbe", ServiceDefaults.ReadyPath)]
    [InlineData("startupProbe", ServiceDefaults.ReadyPath)]
    public void The_deployment_probes_the_health_endpoints(string probe, string expectedPath)
    {
        using var reader = File.OpenText(Path.Combine(Repository.Root, "deploy", "base", "deployment.yaml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        var container = (YamlMappingNode)Child(yaml.Documents[0].RootNode, "spec", "template", "spec", "containers")
            .AllNodes.OfType<YamlMappingNode>().First();

        Child(container, probe, "httpGet", "path").ToString().Should().Be(expectedPath);
        Child(container, probe, "httpGet", "port").ToString().Should().Be("http");
    }

    private static YamlNode Child(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);
}
