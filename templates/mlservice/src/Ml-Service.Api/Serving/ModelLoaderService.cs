using Microsoft.Extensions.Options;

namespace Ml_Service.Api.Serving;

/// <summary>
/// Loads the model in the background after start-up, so <c>/health/live</c> answers at once and
/// <c>/health/ready</c> turns 200 only when the model is loaded and its canary prediction passed.
/// </summary>
public sealed class ModelLoaderService(
    ModelHost host,
    IOptions<ServingOptions> options,
    IHostEnvironment environment,
    ILogger<ModelLoaderService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(
        () =>
        {
            var path = Path.GetFullPath(options.Value.Path, environment.ContentRootPath);
            logger.LogInformation("Loading model from {ModelPath}", path);
            if (host.TryLoad(path))
            {
                logger.LogInformation("{Status}", host.Status);
            }
            else
            {
                logger.LogError("Model not loaded; the service stays unready: {Reason}", host.Status);
            }
        },
        stoppingToken);
}
