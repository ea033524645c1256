using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace MlOps.Platform.Testing;

/// <summary>
/// The real API in memory, serving every model of the repository from <see cref="ModelsDirectory"/> (by
/// default models trained from the sample data), or one model from <see cref="ModelPaths"/>.
/// Development environment, so the OpenAPI document is mapped as a developer sees it.
/// The service accepts <see cref="ApiKeys"/> (by default <see cref="ApiKey"/>), and every client the
/// factory creates sends the first of them in <c>X-Api-Key</c>, as a real caller does (a service without API keys
/// ignores the header and the setting). A service with a prediction log writes it to a SQLite file of its own, made
/// for the factory and deleted with it, whatever database the service is configured with (a service without one
/// ignores the settings).
/// </summary>
/// <typeparam name="TEntryPoint">A type of the API's assembly, usually its <c>Program</c>.</typeparam>
public class ServiceFactory<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    /// <summary>The key of the service under test; a real key comes from the environment, never from a file.</summary>
    public const string ApiKey = "test-key-2d6f0a9c41b7e358";

    /// <summary><c>Model:Directory</c>: the folder with one folder per model.</summary>
    public string ModelsDirectory { get; init; } = SharedModel.ModelsRoot;

    /// <summary><c>Model:Paths:&lt;name&gt;</c>: another file for some models.</summary>
    public IReadOnlyDictionary<string, string> ModelPaths { get; init; } = new Dictionary<string, string>();

    /// <summary>The keys configured as <c>Auth:ApiKeys</c>; empty turns keys off (allowed in Development only).</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [ApiKey];

    /// <summary>More configuration for one test, e.g. <c>Model:ReloadIntervalSeconds</c>; overrides the defaults here.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The SQLite file of the prediction log of this service, if it has one; deleted when the factory is disposed.</summary>
    public string PredictionLogFile { get; } = Path.Combine(Path.GetTempPath(), $"mlops-predictions-{Guid.NewGuid():N}.db");

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

    /// <summary>Makes the client send the first of <see cref="ApiKeys"/> in <c>X-Api-Key</c>, when there is one.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        base.ConfigureClient(client);
        if (ApiKeys.Count > 0)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", ApiKeys[0]);
        }
    }

    /// <summary>Runs the service in Development with the models of <see cref="ModelsDirectory"/> and <see cref="ModelPaths"/>, exactly <see cref="ApiKeys"/>, batches of at most 10, Warning logs and no throttling of failed keys; <see cref="Settings"/> override all of these.</summary>
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
            ["PredictionLog:Provider"] = "sqlite",
            ["PredictionLog:MigrateOnStart"] = "true",
            // The test decides what is old: the shipped retention would delete the rows a test writes backdated.
            ["PredictionLog:RetentionDays"] = "0",
            ["ConnectionStrings:Predictions"] = $"Data Source={PredictionLogFile}",
        };
        foreach (var (model, path) in ModelPaths)
        {
            settings[$"Model:Paths:{model}"] = path;
        }
        // Exactly these keys, whatever the shell exports as Auth__ApiKeys__<n>: a null removes a key.
        for (var i = 0; i < Math.Max(ApiKeys.Count, 10); i++)
        {
            settings[$"Auth:ApiKeys:{i}"] = i < ApiKeys.Count ? ApiKeys[i] : null;
        }

        // Contract tests send many refused requests from the one in-memory client; throttling them has its own tests.
        settings["Auth:MaxFailedAttemptsPerClient"] = "0";

        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings).AddInMemoryCollection(Settings));
    }

    /// <summary>Stops the service, then deletes its prediction log file.</summary>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            // The driver keeps connections to the file open in its pool; deleting it is still allowed on Linux and macOS,
            // and on Windows a file left in the temporary folder does no harm.
            try
            {
                File.Delete(PredictionLogFile);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
