namespace MlOps.Platform.Data;

/// <summary>
/// Logs an outage of the prediction log once, not once per prediction: one warning when it starts dropping (the
/// first drop after a write), one information line with the count when a batch is written again. The
/// <see cref="LiveQualityMonitor"/> keeps its own episodes (of passes that could not read the database), with its own messages.
/// </summary>
public sealed class OutageEpisodes
{
    private static readonly Action<ILogger, string, Exception?> s_dropping = LoggerMessage.Define<string>(
        LogLevel.Warning,
        new EventId(1, "PredictionLogDropping"),
        "The prediction log is dropping predictions ({Reason}): the database is slow or unreachable. Predictions are still answered; "
        + "drops are counted in ml_prediction_log_dropped_total, and writing resumes by itself when the database answers again.");

    private static readonly Action<ILogger, long, Exception?> s_writing = LoggerMessage.Define<long>(
        LogLevel.Information,
        new EventId(2, "PredictionLogWritesAgain"),
        "The prediction log writes again; {Dropped} predictions were dropped while it could not.");

    private readonly ILogger _logger;
    private readonly Action<ILogger, string, Exception?> _started;
    private readonly Action<ILogger, long, Exception?> _ended;
    private int _dropping;
    private long _droppedInEpisode;

    /// <summary>The prediction log's episodes, logged by <paramref name="logger"/>.</summary>
    public OutageEpisodes(ILogger<OutageEpisodes> logger)
        : this(logger, s_dropping, s_writing)
    {
    }

    /// <summary>Episodes of another reader or writer of the database, logged with its own <paramref name="started"/> (the reason) and <paramref name="ended"/> (the count) messages.</summary>
    internal OutageEpisodes(ILogger logger, Action<ILogger, string, Exception?> started, Action<ILogger, long, Exception?> ended)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _started = started;
        _ended = ended;
    }

    /// <summary>Whether predictions have been dropped since the last successful write.</summary>
    public bool Dropping => Volatile.Read(ref _dropping) == 1;

    /// <summary><paramref name="rows"/> predictions were dropped for <paramref name="reason"/>; the first drop of an episode is logged.</summary>
    public void RecordDropped(string reason, int rows, Exception? error = null)
    {
        Interlocked.Add(ref _droppedInEpisode, rows);
        if (Interlocked.Exchange(ref _dropping, 1) == 0)
        {
            _started(_logger, reason, error);
        }
    }

    /// <summary>A batch was written: ends an episode, logging how many predictions it dropped.</summary>
    public void RecordWritten()
    {
        if (Dropping && Interlocked.Exchange(ref _dropping, 0) == 1)
        {
            _ended(_logger, Interlocked.Exchange(ref _droppedInEpisode, 0), null);
        }
    }
}
