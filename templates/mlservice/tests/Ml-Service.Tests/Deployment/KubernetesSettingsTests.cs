using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;
using ServingOptions = MlOps.Platform.Serving.Inference.ServingOptions;

namespace Ml_Service.Tests.Deployment;

/// <summary>
/// The settings the cluster passes as environment (deploy/base/service.env, a ConfigMap) must name real
/// configuration of the service, with values it accepts: a typo would otherwise be silently ignored.
/// </summary>
public class KubernetesSettingsTests
{
    private static readonly string s_base = Path.Combine(Repository.Root, "deploy", "base");

    [Fact]
    public void Every_model_setting_names_a_serving_option()
    {
        var modelKeys = Settings().Keys.Where(k => k.StartsWith(ServingOptions.Section + "__", StringComparison.Ordinal)).ToArray();
        var properties = typeof(ServingOptions).GetProperties().Select(p => $"{ServingOptions.Section}__{p.Name}")
            .Concat(ModelCatalog.Names.Select(n => $"{ServingOptions.Section}__{nameof(ServingOptions.Paths)}__{n}"));

        modelKeys.Should().NotBeEmpty().And.BeSubsetOf(properties);
    }

    [Fact]
    public void The_settings_bind_to_valid_serving_options()
    {
        // Environment variables reach IConfiguration with "__" read as the section separator ":".
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Settings().Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
            .Build();
        var options = configuration.GetSection(ServingOptions.Section).Get<ServingOptions>(o => o.ErrorOnUnknownConfiguration = true);

        options.Should().NotBeNull();
        options!.Directory.Should().Be(Settings()["Model__Directory"]);
        new MlOps.Platform.Serving.Inference.ServingOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true)
            .Should().BeTrue(string.Join("; ", results.Select(r => r.ErrorMessage)));
    }

    [Fact]
    public void The_container_listens_where_the_deployment_probes()
    {
        var container = Container();
        var port = ((YamlSequenceNode)container.Children[new YamlScalarNode("ports")]).Children.OfType<YamlMappingNode>()
            .Single(p => p.Children[new YamlScalarNode("name")].ToString() == "http");

        Settings()["ASPNETCORE_HTTP_PORTS"].Should().Be(port.Children[new YamlScalarNode("containerPort")].ToString());
    }

    [Fact]
    public void The_deployment_takes_its_environment_from_the_settings()
    {
        var kustomization = LoadYaml(Path.Combine(s_base, "kustomization.yaml"));
        var generator = ((YamlSequenceNode)kustomization.Children[new YamlScalarNode("configMapGenerator")]).Children.OfType<YamlMappingNode>()
            .Single(g => ((YamlSequenceNode)g.Children[new YamlScalarNode("envs")]).Children.Select(e => e.ToString()).Contains("service.env"));
        var envFrom = ((YamlSequenceNode)Container().Children[new YamlScalarNode("envFrom")]).Children.OfType<YamlMappingNode>()
            .Where(e => e.Children.ContainsKey(new YamlScalarNode("configMapRef")))
            .Select(e => e.Children[new YamlScalarNode("configMapRef")]["name"].ToString());

        envFrom.Should().Contain(generator.Children[new YamlScalarNode("name")].ToString());
    }

#if (ApiKeyAuth)
    [Fact]
    public void The_api_keys_come_from_a_secret_never_from_the_committed_settings()
    {
        var secrets = ((YamlSequenceNode)Container().Children[new YamlScalarNode("envFrom")]).Children.OfType<YamlMappingNode>()
            .Where(e => e.Children.ContainsKey(new YamlScalarNode("secretRef")))
            .Select(e => e.Children[new YamlScalarNode("secretRef")]["name"].ToString());

        secrets.Should().Contain("ml-service-api-keys");
        Settings().Keys.Should().NotContain(k => k.StartsWith("Auth__", StringComparison.Ordinal), "a key in service.env would be committed");
    }

#endif
    private static Dictionary<string, string> Settings() =>
        File.ReadAllLines(Path.Combine(s_base, "service.env"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

    private static YamlMappingNode Container()
    {
        var deployment = LoadYaml(Path.Combine(s_base, "deployment.yaml"));
        var podSpec = (YamlMappingNode)deployment["spec"]["template"]["spec"];
        return ((YamlSequenceNode)podSpec.Children[new YamlScalarNode("containers")]).Children.OfType<YamlMappingNode>().First();
    }

    private static YamlMappingNode LoadYaml(string path)
    {
        using var reader = File.OpenText(path);
        var yaml = new YamlStream();
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }
}
