namespace MlOps.Platform.Serving.Security;

/// <summary>
/// Says once, at start-up, whether the prediction endpoints require a key and how many keys are valid,
/// and publishes the failure counter (resolving it creates its series at 0).
/// </summary>
public sealed class ApiKeyStartupReport(ApiKeyStore keys, ApiKeyMetrics metrics, ILogger<ApiKeyStartupReport> logger) : IHostedService
{
    /// <summary>Logs whether keys are required and how many are configured, or warns that they are off.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(metrics);
        if (keys.Enabled)
        {
            logger.LogInformation("API keys are required on /v1: {KeyCount} key(s) configured", keys.Count);
        }
        else
        {
            logger.LogWarning(
                "API keys are off in Development: no Auth:ApiKeys configured, so /v1 accepts requests without X-Api-Key. " +
                "Any other environment refuses to start without {KeyVariable}",
                ApiKeyOptions.FirstKeyVariable);
        }

        return Task.CompletedTask;
    }

    /// <summary>Does nothing.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
