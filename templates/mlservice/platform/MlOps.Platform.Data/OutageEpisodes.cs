namespace MlOps.Platform.Data;

/// <summary>
/// Logs an outage of the prediction log once, not once per prediction: one warning when it starts dropping (the
/// first drop after a write), one information line with the count when a batch is written again.
/// </summary>
public sealed class OutageEpisodes(ILogger<OutageEpisodes> logger)
{
    private int _dropping;
    private long _droppedInEpisode;

    /// <summary>Whether predictions have been dropped since the last successful write.</summary>
    public bool Dropping => Volatile.Read(ref _dropping) == 1;

    /// <summary><paramref name="rows"/> predictions were dropped for <paramref name="reason"/>; the first drop of an episode is logged.</summary>
    public void RecordDropped(string reason, int rows, Exception? error = null)
    {
        Interlocked.Add(ref _droppedInEpisode, rows);
        if (Interlocked.Exchange(ref _dropping, 1) == 0)
        {
            logger.LogWarning(
                error,
                "The prediction log is dropping predictions ({Reason}): the database is slow or unreachable. Predictions are still answered; "
                + "drops are counted in mlservice_prediction_log_dropped_total, and writing resumes by itself when the database answers again.",
                reason);
        }
    }

    /// <summary>A batch was written: ends an episode, logging how many predictions it dropped.</summary>
    public void RecordWritten()
    {
        if (Dropping && Interlocked.Exchange(ref _dropping, 0) == 1)
        {
            logger.LogInformation(
                "The prediction log writes again; {Dropped} predictions were dropped while it could not.",
                Interlocked.Exchange(ref _droppedInEpisode, 0));
        }
    }
}
