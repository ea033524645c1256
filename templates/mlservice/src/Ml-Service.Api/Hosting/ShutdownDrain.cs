using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Ml_Service.Api.Hosting;

/// <summary>
/// Graceful shutdown. On SIGTERM (<see cref="IHostApplicationLifetime.ApplicationStopping"/>) readiness turns
/// 503 at once, and the service keeps serving for <see cref="LimitsOptions.ShutdownDrainSeconds"/> so that load
/// balancers take it out before the listener closes; then the server stops accepting connections and lets
/// in-flight requests finish.
/// </summary>
public sealed class ShutdownDrain(
    IHostApplicationLifetime lifetime,
    IOptions<LimitsOptions> options,
    ILogger<ShutdownDrain> logger) : IHostedLifecycleService, IHealthCheck
{
    private int _stopping;

    public bool IsStopping => Volatile.Read(ref _stopping) == 1;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(BeginDraining);
        return Task.CompletedTask;
    }

    /// <summary>Runs before any hosted service stops, the web server included: the listener is still open.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        BeginDraining();
        var drain = TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds);
        try
        {
            await Task.Delay(drain, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ended the drain early.
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsStopping
            ? HealthCheckResult.Unhealthy("The service is shutting down; in-flight requests are finishing.")
            : HealthCheckResult.Healthy("Accepting requests."));

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void BeginDraining()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            logger.LogInformation(
                "Shutting down: readiness now answers 503; serving for {DrainSeconds} s more, then in-flight requests finish",
                options.Value.ShutdownDrainSeconds);
        }
    }
}
