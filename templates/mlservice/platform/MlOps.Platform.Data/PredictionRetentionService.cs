using Microsoft.Extensions.Options;

namespace MlOps.Platform.Data;

/// <summary>
/// Retention inside the service, for a database only the service can reach (a SQLite file on the pod's volume):
/// with <c>PredictionLog:RetentionDays</c> above 0 it deletes the older predictions a minute after the start (once the
/// migrations of <c>MigrateOnStart</c> have had their turn) and then once a day.
/// A shared PostgreSQL is pruned by one job instead (<c>db-prune</c>, the Kubernetes CronJob), not by every replica.
/// </summary>
public sealed partial class PredictionRetentionService(
    PredictionDatabase database, IOptions<PredictionLogOptions> options, TimeProvider time, ILogger<PredictionRetentionService> logger)
    : BackgroundService
{
    /// <summary>Time between two prunes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    // The first prune waits for the start's migrations; a failed one (unreachable database) is tried again sooner than the next day.
    private static readonly TimeSpan s_shortDelay = TimeSpan.FromMinutes(1);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var days = options.Value.RetentionDays;
        if (days <= 0)
        {
            return;
        }

        var delay = s_shortDelay;
        while (await DelayAsync(delay, stoppingToken))
        {
            delay = Interval;
            try
            {
                var cutoff = time.GetUtcNow().AddDays(-days);
                var deleted = await PredictionRetention.PruneAsync(database, cutoff, cancellationToken: stoppingToken);
                LogPruned(deleted, days);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(ex, days);
                delay = s_shortDelay;
            }
        }
    }

    /// <summary>Waits <paramref name="delay"/>; false when the service stops meanwhile.</summary>
    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Retention deleted {Deleted} prediction(s) older than {Days} days from the prediction log.")]
    private partial void LogPruned(long deleted, int days);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Retention of the prediction log ({Days} days) failed; trying again in a minute.")]
    private partial void LogFailed(Exception exception, int days);
}
