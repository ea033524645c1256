using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Ml_Service.Tests.Api;

/// <summary>GET /v1/models and /v1/models/{name}: what is served, which version, and whether it is ready.</summary>
public class ModelEndpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_list_names_the_served_model()
    {
        var client = factory.CreateClient();

        var list = await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models", UriKind.Relative));

        list!["models"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal("churn");
    }

    [Fact]
    public async Task Metadata_reports_readiness_version_and_metrics_of_the_served_model()
    {
        var client = await factory.CreateStartedClientAsync();

        var metadata = await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models/churn", UriKind.Relative));

        metadata!["name"]!.GetValue<string>().Should().Be("churn");
        metadata["ready"]!.GetValue<bool>().Should().BeTrue();
        metadata["version"]!.GetValue<string>().Should().Be(SharedModel.Manifest.Version);
        metadata["metrics"]!["auc"]!.GetValue<double>().Should().Be(SharedModel.Manifest.Metrics["auc"]);
    }

    [Fact]
    public async Task An_unknown_model_gets_a_404_problem()
    {
        var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/v1/models/fraud", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }
}
