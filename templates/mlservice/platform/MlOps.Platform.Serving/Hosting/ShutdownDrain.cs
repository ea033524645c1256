using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Hosting;

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

    /// <summary>True once the application has been told to stop: readiness answers 503 from then on.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) == 1;

    /// <summary>Arranges for the drain to begin as soon as the application is told to stop.</summary>
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

    /// <summary>Unhealthy while shutting down, so readiness turns 503; healthy otherwise.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsStopping
            ? HealthCheckResult.Unhealthy("The service is shutting down; in-flight requests are finishing.")
            : HealthCheckResult.Healthy("Accepting requests."));

    /// <summary>Does nothing: draining is set up in <see cref="StartingAsync"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Does nothing.</summary>
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Does nothing: the drain happens in <see cref="StoppingAsync"/>.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Does nothing.</summary>
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
