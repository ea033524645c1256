using Microsoft.Extensions.Configuration;

namespace Ml_Service.Tests.Api;

/// <summary>
/// <see cref="ApiFactory"/> with the limits the service ships with (its appsettings.json) instead of the
/// small ones other tests use: the OpenAPI document states them (the most instances of a predict request),
/// and the contract test sends exactly what the document states.
/// </summary>
public sealed class ShippedSettingsApiFactory : ApiFactory
{
    private const string MaxBatchSizeKey = "Model:MaxBatchSize";

    public ShippedSettingsApiFactory()
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(Repository.ApiSettingsPath).Build();
        Settings = new Dictionary<string, string?> { [MaxBatchSizeKey] = shipped[MaxBatchSizeKey] };
    }
}
