using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Tests.Api;

/// <summary>GET /v1/models and /v1/models/{name}: what is served, which version, and whether it is ready.</summary>
public class ModelEndpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_list_names_every_model_with_its_task_and_state()
    {
        var client = await factory.CreateStartedClientAsync();

        var list = await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models", UriKind.Relative));

        list!["models"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal(ModelCatalog.Names);
        var details = list["details"]!.AsArray().Select(d => d!.AsObject()).ToList();
        details.Select(d => d["name"]!.GetValue<string>()).Should().Equal(ModelCatalog.Names);
        foreach (var (model, detail) in ModelCatalog.All.Zip(details))
        {
            detail["task"]!.GetValue<string>().Should().Be(model.Task.ToText());
            detail["ready"]!.GetValue<bool>().Should().BeTrue();
            detail["version"]!.GetValue<string>().Should().Be(SharedModel.Of(model).Manifest.Version);
        }
    }

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public async Task Metadata_reports_task_inputs_version_and_metrics_of_the_model(string name)
    {
        var model = ServedModelCases.Model(name);
        var manifest = SharedModel.Of(model).Manifest;
        var client = await factory.CreateStartedClientAsync();

        var metadata = await client.GetFromJsonAsync<JsonObject>(ServedModelCases.MetadataUri(model));

        metadata!["name"]!.GetValue<string>().Should().Be(name);
        metadata["task"]!.GetValue<string>().Should().Be(model.Task.ToText());
        metadata["ready"]!.GetValue<bool>().Should().BeTrue();
        metadata["description"]!.GetValue<string>().Should().Be(model.Description);
        metadata["version"]!.GetValue<string>().Should().Be(manifest.Version);
        metadata["trainer"]!.GetValue<string>().Should().Be(manifest.Trainer);
        metadata["metrics"]!.AsObject().ToDictionary(m => m.Key, m => m.Value!.GetValue<double>())
            .Should().BeEquivalentTo(manifest.Metrics);
        metadata["features"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()).Should().Equal(model.Features.Select(f => f.Name));
        if (model.Task == ModelTask.Multiclass)
        {
            metadata["classes"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal(model.Label.Classes);
        }
        else
        {
            metadata["classes"].Should().BeNull();
        }
    }

    [Fact]
    public async Task An_unknown_model_gets_a_404_problem_listing_the_served_ones()
    {
        var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri($"/v1/models/{ServedModelCases.UnknownModel}", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var detail = (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>();
        ModelCatalog.Names.Should().OnlyContain(n => detail.Contains($"'{n}'", StringComparison.Ordinal));
    }
}
