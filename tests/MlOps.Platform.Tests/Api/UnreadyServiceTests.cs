using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// A missing or corrupt model keeps the service alive but unready, with the reason, until a good one appears.
/// Readiness needs every model: one model that cannot answer makes the whole service unready, while its
/// other models keep answering and GET /v1/models/{name} says which one is not ready.
/// </summary>
public sealed class UnreadyServiceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("MlOps.Platform.Tests-").FullName;

    private static ModelDefinition Model => ServedModelCases.Any;

    [Fact]
    public async Task A_missing_model_gives_503_with_the_reason_while_live_stays_200()
    {
        using var factory = new ApiFactory { ModelPaths = Missing() };
        var client = await factory.CreateStartedClientAsync(HttpStatusCode.ServiceUnavailable);

        var ready = await ReadinessOnceLoadedAsync(client);

        ready.Should().Contain("does not exist").And.Contain(Model.Name);
        (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        var metadata = await client.GetAsync(ServedModelCases.MetadataUri(Model));
        metadata.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await metadata.Content.ReadAsStringAsync()).Should().Contain("does not exist");
    }

    [Fact]
    public async Task One_unready_model_makes_the_service_unready_while_the_others_answer()
    {
        using var factory = new ApiFactory { ModelPaths = Missing() };
        var client = await factory.CreateStartedClientAsync(HttpStatusCode.ServiceUnavailable);
        await ReadinessOnceLoadedAsync(client);

        var list = await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models", UriKind.Relative));

        var details = list!["details"]!.AsArray().ToDictionary(d => d!["name"]!.GetValue<string>(), d => d!.AsObject());
        details[Model.Name]["ready"]!.GetValue<bool>().Should().BeFalse();
        details[Model.Name]["reason"]!.GetValue<string>().Should().Contain("does not exist");
        foreach (var other in ModelCatalog.All.Where(m => m != Model))
        {
            details[other.Name]["ready"]!.GetValue<bool>().Should().BeTrue();
            var predict = await client.PostAsync(ServedModelCases.PredictUri(other), Json(ServedModelCases.CanaryRequest(other)));
            predict.StatusCode.Should().Be(HttpStatusCode.OK, $"model {other.Name} is loaded even though {Model.Name} is not");
        }
    }

    [Fact]
    public async Task A_corrupt_model_is_refused_and_predictions_get_a_503_problem()
    {
        var path = Path.Combine(_folder, "model.zip");
        await File.WriteAllTextAsync(path, "this is not a zip file");
        using var factory = new ApiFactory { ModelPaths = new Dictionary<string, string> { [Model.Name] = path } };
        var client = await factory.CreateStartedClientAsync(HttpStatusCode.ServiceUnavailable);

        var ready = await ReadinessOnceLoadedAsync(client);
        var predict = await client.PostAsJsonAsync(ServedModelCases.PredictUri(Model), ServedModelCases.Example(Model));

        ready.Should().Contain("corrupt");
        predict.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        predict.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task A_service_that_started_without_a_model_becomes_ready_when_one_appears()
    {
        var trained = SharedModel.Of(Model);
        using var factory = new ApiFactory
        {
            ModelPaths = Missing(),
            Settings = new Dictionary<string, string?> { ["Model:ReloadIntervalSeconds"] = "1" },
        };
        var client = await factory.CreateStartedClientAsync(HttpStatusCode.ServiceUnavailable);
        (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        // Promoted as training does: manifest first, model.zip last.
        // Renamed into place, never written in place: the polling service may be reading it at that moment.
        File.Copy(Path.Combine(trained.Folder, "manifest.json"), Path.Combine(_folder, "manifest.json.tmp"));
        File.Move(Path.Combine(_folder, "manifest.json.tmp"), Path.Combine(_folder, "manifest.json"));
        File.Copy(trained.ModelPath, Path.Combine(_folder, "model.zip.tmp"));
        File.Move(Path.Combine(_folder, "model.zip.tmp"), Path.Combine(_folder, "model.zip"));
        await factory.CreateStartedClientAsync(HttpStatusCode.OK);

        var metadata = await client.GetFromJsonAsync<JsonObject>(ServedModelCases.MetadataUri(Model));
        metadata!["version"]!.GetValue<string>().Should().Be(trained.Manifest.Version);
        var predict = await client.PostAsJsonAsync(ServedModelCases.PredictUri(Model), ServedModelCases.Example(Model));
        predict.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string> Missing() => new() { [Model.Name] = Path.Combine(_folder, "model.zip") };

    private static System.Net.Http.StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

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
