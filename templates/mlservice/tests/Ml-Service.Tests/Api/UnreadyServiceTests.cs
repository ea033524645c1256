using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Ml_Service.Tests.Api;

/// <summary>A missing or corrupt model keeps the service alive but unready, with the reason, until a good one appears.</summary>
public sealed class UnreadyServiceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("Ml-Service.Tests-").FullName;

    [Fact]
    public async Task A_missing_model_gives_503_with_the_reason_while_live_stays_200()
    {
        using var factory = new ApiFactory { ModelPath = Path.Combine(_folder, "model.zip") };
        var client = await factory.CreateStartedClientAsync(HttpStatusCode.ServiceUnavailable);

        (await ReadinessOnceLoadedAsync(client)).Should().Contain("does not exist");
        (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_corrupt_model_is_refused_and_predictions_get_a_503_problem()
    {
        var path = Path.Combine(_folder, "model.zip");
        await File.WriteAllTextAsync(path, "this is not a zip file");
        using var factory = new ApiFactory { ModelPath = path };
        var client = await factory.CreateStartedClientAsync(HttpStatusCode.ServiceUnavailable);

        var ready = await ReadinessOnceLoadedAsync(client);
        var predict = await client.PostAsJsonAsync(
            new Uri("/v1/models/churn:predict", UriKind.Relative),
            JsonNode.Parse(await File.ReadAllTextAsync(Repository.ExampleRequestPath)));

        ready.Should().Contain("corrupt");
        predict.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        predict.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task A_service_that_started_without_a_model_becomes_ready_when_one_appears()
    {
        using var factory = new ApiFactory
        {
            ModelPath = Path.Combine(_folder, "model.zip"),
            Settings = new Dictionary<string, string?> { ["Model:ReloadIntervalSeconds"] = "1" },
        };
        var client = await factory.CreateStartedClientAsync(HttpStatusCode.ServiceUnavailable);
        (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        // Promoted as training does: manifest first, model.zip last.
        // Renamed into place, never written in place: the polling service may be reading it at that moment.
        File.Copy(Path.Combine(Path.GetDirectoryName(SharedModel.ModelPath)!, "manifest.json"), Path.Combine(_folder, "manifest.json.tmp"));
        File.Move(Path.Combine(_folder, "manifest.json.tmp"), Path.Combine(_folder, "manifest.json"));
        File.Copy(SharedModel.ModelPath, Path.Combine(_folder, "model.zip.tmp"));
        File.Move(Path.Combine(_folder, "model.zip.tmp"), Path.Combine(_folder, "model.zip"));
        await factory.CreateStartedClientAsync(HttpStatusCode.OK);

        var metadata = await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models/churn", UriKind.Relative));
        metadata!["version"]!.GetValue<string>().Should().Be(SharedModel.Manifest.Version);
        var predict = await client.PostAsJsonAsync(
            new Uri("/v1/models/churn:predict", UriKind.Relative),
            JsonNode.Parse(await File.ReadAllTextAsync(Repository.ExampleRequestPath)));
        predict.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// The readiness body once the first load attempt has finished: right after start the service can
    /// still say it has not tried yet, which is a 503 too.
    /// </summary>
    private static async Task<string> ReadinessOnceLoadedAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string body;
        do
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            body = await response.Content.ReadAsStringAsync();
            if (!body.Contains("not been loaded yet", StringComparison.Ordinal))
            {
                return body;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        return body;
    }
}
