using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Ml_Service.Tests.Api;

#if (ApiKeyAuth)
/// <summary>
/// The real API in memory, serving every model of the repository from <see cref="ModelsDirectory"/> (by
/// default models trained from the sample data), or one model from <see cref="ModelPaths"/>.
/// Development environment, so the OpenAPI document is mapped as a developer sees it.
/// The service accepts <see cref="ApiKeys"/> (by default <see cref="ApiKey"/>), and every client the
/// factory creates sends the first of them in <c>X-Api-Key</c>, as a real caller does.
/// </summary>
#else
/// <summary>
/// The real API in memory, serving every model of the repository from <see cref="ModelsDirectory"/> (by
/// default models trained from the sample data), or one model from <see cref="ModelPaths"/>.
/// Development environment, so the OpenAPI document is mapped as a developer sees it.
/// </summary>
#endif
public class ApiFactory : WebApplicationFactory<Program>
{
#if (ApiKeyAuth)
    /// <summary>The key of the service under test; a real key comes from the environment, never from a file.</summary>
    public const string ApiKey = "test-key-2d6f0a9c41b7e358";

#endif
    /// <summary><c>Model:Directory</c>: the folder with one folder per model.</summary>
    public string ModelsDirectory { get; init; } = SharedModel.ModelsRoot;

    /// <summary><c>Model:Paths:&lt;name&gt;</c>: another file for some models.</summary>
    public IReadOnlyDictionary<string, string> ModelPaths { get; init; } = new Dictionary<string, string>();
#if (ApiKeyAuth)

    /// <summary>The keys configured as <c>Auth:ApiKeys</c>; empty turns keys off (allowed in Development only).</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [ApiKey];
#endif

    /// <summary>More configuration for one test, e.g. <c>Model:ReloadIntervalSeconds</c>; overrides the defaults here.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>A client for a service that has finished loading (or failing to load) its models.</summary>
    public async Task<HttpClient> CreateStartedClientAsync(HttpStatusCode expectedReadiness = HttpStatusCode.OK)
    {
        var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            status = (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode;
            if (status == expectedReadiness)
            {
                return client;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"/health/ready stayed {status}, expected {expectedReadiness}.");
    }
#if (ApiKeyAuth)

    protected override void ConfigureClient(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        base.ConfigureClient(client);
        if (ApiKeys.Count > 0)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", ApiKeys[0]);
        }
    }
#endif

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in Settings)
        {
            // Also as host settings, so that what Program.cs reads while building (the OTLP endpoint) sees them.
            builder.UseSetting(key, value);
        }

        var settings = new Dictionary<string, string?>
        {
            ["Model:Directory"] = ModelsDirectory,
            ["Model:MaxBatchSize"] = "10",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (model, path) in ModelPaths)
        {
            settings[$"Model:Paths:{model}"] = path;
        }
#if (ApiKeyAuth)
        // Exactly these keys, whatever the shell exports as Auth__ApiKeys__<n>: a null removes a key.
        for (var i = 0; i < Math.Max(ApiKeys.Count, 10); i++)
        {
            settings[$"Auth:ApiKeys:{i}"] = i < ApiKeys.Count ? ApiKeys[i] : null;
        }

        // Contract tests send many refused requests from the one in-memory client; throttling them has its own tests.
        settings["Auth:MaxFailedAttemptsPerClient"] = "0";
#endif

        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings).AddInMemoryCollection(Settings));
    }
}
