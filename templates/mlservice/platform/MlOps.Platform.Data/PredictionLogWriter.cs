using Microsoft.Extensions.Options;

namespace MlOps.Platform.Data;

/// <summary>
/// Drains the <see cref="PredictionLog"/> into the database in batches: up to
/// <see cref="PredictionLogOptions.BatchSize"/> predictions, or what arrived within
/// <see cref="PredictionLogOptions.FlushIntervalMilliseconds"/> of the first one, in one transaction. A batch that
/// cannot be written is dropped and counted, not retried (a batch the database refuses for good must not block the
/// log), and the writer waits a little longer before each next try (up to <see cref="MaxRetryDelay"/>) while the
/// queue holds what arrives meanwhile. When the service stops, what is queued is written within
/// <see cref="StopTimeout"/>.
/// </summary>
public sealed class PredictionLogWriter(
    PredictionLog log,
    PredictionDatabase database,
    IOptions<PredictionLogOptions> options,
    PredictionLogMetrics metrics,
    OutageEpisodes episodes,
    ILogger<PredictionLogWriter> logger,
    TimeProvider time) : BackgroundService
{
    /// <summary>The longest wait between two tries while the database fails.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>How long the last batches may take when the service stops.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan s_firstRetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly PredictionLogOptions _options = options.Value;
    private readonly List<PendingPredictions> _batch = [];
    private int _failures;

    /// <summary>Migrates when configured, then writes batches until the service stops, then writes what is left.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the host's start goes on at once
        try
        {
            if (_options.MigrateOnStart)
            {
                await MigrateAsync(stoppingToken);
            }

            while (await log.Reader.WaitToReadAsync(stoppingToken))
            {
                var rows = await FillAsync(stoppingToken);
                await WriteAsync(rows, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await WriteRestAsync();
    }

    /// <summary>Applies the migrations, trying again with the write back-off until the database answers.</summary>
    private async Task MigrateAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await database.MigrateAsync(stoppingToken);
                logger.LogInformation("The prediction log's database ({Provider}) is migrated.", database.Provider);
                _failures = 0;
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (_failures == 0)
                {
                    logger.LogWarning(ex, "The prediction log's database ({Provider}) could not be migrated; trying again until it can.", database.Provider);
                }

                await Task.Delay(NextRetryDelay(), time, stoppingToken);
            }
        }
    }

    /// <summary>Takes queued predictions into the batch until it is full or the flush interval since the first has passed.</summary>
    private async Task<int> FillAsync(CancellationToken stoppingToken)
    {
        var rows = 0;
        var flushAt = time.GetTimestamp() + (long)(_options.FlushIntervalMilliseconds * (time.TimestampFrequency / 1000.0));
        while (rows < _options.BatchSize)
        {
            while (rows < _options.BatchSize && log.Reader.TryRead(out var pending))
            {
                log.Taken(pending);
                _batch.Add(pending);
                rows += pending.Count;
            }

            var left = time.GetElapsedTime(time.GetTimestamp(), flushAt);
            if (rows >= _options.BatchSize || left <= TimeSpan.Zero)
            {
                break;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(left);
            try
            {
                if (!await log.Reader.WaitToReadAsync(wait.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                break; // the flush interval is over
            }
        }

        return rows;
    }

    /// <summary>Writes the batch in one transaction; on failure drops and counts it, and waits before the next try.</summary>
    private async Task WriteAsync(int rows, CancellationToken cancellationToken)
    {
        if (rows == 0)
        {
            return;
        }

        try
        {
            await PredictionRows.InsertAsync(database, _batch.SelectMany(p => p.ToRecords(_options.Inputs)), cancellationToken);

            _batch.Clear();
            _failures = 0;
            metrics.RecordWritten(rows);
            episodes.RecordWritten();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _batch.Clear();
            database.ClearPool();
            metrics.RecordDropped(PredictionLogMetrics.WriteFailed, rows);
            episodes.RecordDropped(PredictionLogMetrics.WriteFailed, rows, ex);
            await Task.Delay(NextRetryDelay(), time, cancellationToken);
        }
    }

    /// <summary>The service is stopping: no more predictions are taken, and those queued are written within <see cref="StopTimeout"/>.</summary>
    private async Task WriteRestAsync()
    {
        log.Close();
        using var timeout = new CancellationTokenSource(StopTimeout, time);
        try
        {
            while (_batch.Count > 0 || log.Reader.TryPeek(out _))
            {
                var rows = _batch.Sum(p => p.Count);
                while (rows < _options.BatchSize && log.Reader.TryRead(out var pending))
                {
                    log.Taken(pending);
                    _batch.Add(pending);
                    rows += pending.Count;
                }

                await WriteAsync(rows, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            var rows = _batch.Sum(p => p.Count);
            while (log.Reader.TryRead(out var pending))
            {
                log.Taken(pending);
                rows += pending.Count;
            }

            metrics.RecordDropped(PredictionLogMetrics.Shutdown, rows);
            logger.LogWarning("The service stopped before {Count} queued predictions could be written; they are dropped.", rows);
        }
    }

    private TimeSpan NextRetryDelay()
    {
        _failures++;
        var delay = s_firstRetryDelay * Math.Pow(2, Math.Min(_failures - 1, 10));
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }
}
