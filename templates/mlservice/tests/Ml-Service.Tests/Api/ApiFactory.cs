using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Ml_Service.Tests.Api;

/// <summary>
/// The real API in memory, serving the model at <see cref="ModelPath"/> (by default one trained from
/// the sample data). Development environment, so the OpenAPI document is mapped as a developer sees it.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public string ModelPath { get; init; } = SharedModel.ModelPath;

    /// <summary>More configuration for one test, e.g. <c>Model:ReloadIntervalSeconds</c>; overrides the defaults here.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>A client for a service that has finished loading (or failing to load) its model.</summary>
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

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in Settings)
        {
            // Also as host settings, so that what Program.cs reads while building (the OTLP endpoint) sees them.
            builder.UseSetting(key, value);
        }

        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Model:Path"] = ModelPath,
            ["Model:MaxBatchSize"] = "10",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }).AddInMemoryCollection(Settings));
    }
}
