using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Tests.Api;

/// <summary>The Kubernetes probes: liveness never depends on the models, readiness does (on every one of them).</summary>
public class HealthEndpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Live_is_200_while_the_process_runs()
    {
        var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_is_200_once_every_model_is_loaded_and_passed_its_canary()
    {
        var client = await factory.CreateStartedClientAsync();

        var body = await client.GetFromJsonAsync<JsonObject>(new Uri("/health/ready", UriKind.Relative));

        body!["status"]!.GetValue<string>().Should().Be("Healthy");
        var check = body["checks"]!["models"]!;
        check["description"]!.GetValue<string>().Should().Contain("canary");
        check["data"]!.AsObject().Select(m => m.Key).Should().BeEquivalentTo(ModelCatalog.Names);
        foreach (var model in ModelCatalog.All)
        {
            check["data"]![model.Name]!["ready"]!.GetValue<bool>().Should().BeTrue();
            check["data"]![model.Name]!["version"]!.GetValue<string>().Should().Be(SharedModel.Of(model).Manifest.Version);
        }
    }

    [Fact]
    public async Task Every_response_carries_a_correlation_id_and_keeps_the_callers()
    {
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Correlation-ID", "order-42");

        var response = await client.SendAsync(request);

        response.Headers.GetValues("X-Correlation-ID").Should().Equal("order-42");
    }
}
