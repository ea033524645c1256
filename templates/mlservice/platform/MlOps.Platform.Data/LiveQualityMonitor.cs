using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MlOps.Platform.Data.Schema;
using MlOps.Platform.Serving.Inference;

namespace MlOps.Platform.Data;

/// <summary>
/// The quality of the served models on real traffic: every <see cref="PredictionLogOptions.LiveQualityIntervalSeconds"/>,
/// for each model this service serves, reads its newest <see cref="PredictionLogOptions.LiveQualityWindow"/> predictions
/// that have feedback, of the last <see cref="PredictionLogOptions.LiveQualityMaxAgeDays"/> days (the latest feedback of a
/// prediction is its truth), and publishes their metrics against the truth (<see cref="LiveQualityMetrics"/>), computed by
/// <see cref="QualityMetrics"/> from the outputs the clients were given. In the background only: no request waits for it.
/// When the database cannot be read, the pass stops, the gauges keep their last values, and the outage is logged once
/// until a pass reads it again.
/// </summary>
public sealed class LiveQualityMonitor : BackgroundService
{
    /// <summary>The reason logged when a pass cannot read the database.</summary>
    public const string ReadFailed = "read_failed";

    private static readonly Action<ILogger, string, Exception?> s_failing = LoggerMessage.Define<string>(
        LogLevel.Warning,
        new EventId(3, "LiveQualityFailing"),
        "The live quality of the models cannot be computed ({Reason}): the prediction log's database is unreachable or failing. "
        + "The ml_live_quality gauges keep their last values, and computing resumes by itself when the database answers again.");

    private static readonly Action<ILogger, long, Exception?> s_computing = LoggerMessage.Define<long>(
        LogLevel.Information,
        new EventId(4, "LiveQualityComputesAgain"),
        "The live quality of the models is computed again; {Failed} passes could not read the database before.");

    private readonly ServedModels _models;
    private readonly PredictionDatabase _database;
    private readonly LiveQualityMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly PredictionLogOptions _options;
    private readonly OutageEpisodes _episodes;
    private readonly SemaphoreSlim _pass = new(1, 1);

    /// <summary>A monitor of the models of <paramref name="models"/>, reading <paramref name="database"/> with the configured window.</summary>
    public LiveQualityMonitor(
        ServedModels models,
        PredictionDatabase database,
        IOptions<PredictionLogOptions> options,
        LiveQualityMetrics metrics,
        ILogger<LiveQualityMonitor> logger,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        _models = models;
        _database = database;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _episodes = new OutageEpisodes(logger, s_failing, s_computing);
    }

    /// <summary>
    /// One pass over the served models: reads each model's window and publishes its live quality. Never throws for the
    /// database: a failure ends the pass, leaves the gauges as they were, and returns false (logged once per outage).
    /// Passes never overlap; a call during another waits for it.
    /// </summary>
    /// <returns>True when every model's quality was read and published.</returns>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            var since = _time.GetUtcNow().UtcDateTime.AddDays(-_options.LiveQualityMaxAgeDays);
            var read = new List<(ModelDefinition Model, List<LabelledOutputs> Rows)>();
            try
            {
                await using var context = _database.CreateContext();
                foreach (var host in _models.All)
                {
                    read.Add((host.Definition, await ReadAsync(context, host.Definition, since, _options.LiveQualityWindow, cancellationToken)));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Pooled connections may be dead after a failure (a restarted server drops them): the next pass opens new ones.
                _database.ClearPool();
                _episodes.RecordDropped(ReadFailed, 1, ex);
                return false;
            }

            foreach (var (model, rows) in read)
            {
                Publish(model, rows);
            }

            _episodes.RecordWritten();
            return true;
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _pass.Dispose();
        base.Dispose();
    }

    /// <summary>A pass every interval, the first one interval after the start (the database may be migrating then), until the service stops.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.LiveQualityIntervalSeconds), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The model's newest labelled predictions since <paramref name="since"/>, newest first, each with its latest truth.
    /// Walks <c>ix_predictions_model_created_at</c> backwards from now and stops at <paramref name="window"/> rows; the
    /// feedback of each prediction is found through <c>ix_feedback_prediction_id</c>.
    /// </summary>
    internal static Task<List<LabelledOutputs>> ReadAsync(
        PredictionDbContext context, ModelDefinition model, DateTime since, int window, CancellationToken cancellationToken) =>
        context.Database.SqlQuery<LabelledOutputs>($"""
            SELECT p.outputs AS "Outputs",
                   (SELECT f.truth FROM feedback AS f WHERE f.prediction_id = p.id ORDER BY f.created_at DESC, f.id DESC LIMIT 1) AS "Truth"
            FROM predictions AS p
            WHERE p.model = {model.Name} AND p.created_at >= {since}
              AND EXISTS (SELECT 1 FROM feedback AS l WHERE l.prediction_id = p.id)
            ORDER BY p.created_at DESC
            LIMIT {window}
            """).ToListAsync(cancellationToken);

    private void Publish(ModelDefinition model, List<LabelledOutputs> rows)
    {
        var outcomes = new List<Outcome>(rows.Count);
        var truths = new List<LabeledRow>(rows.Count);
        foreach (var row in rows)
        {
            // A row the model cannot read any more (its classes or label range changed since) is not judged.
            if (StoredValues.Outcome(model, row.Outputs) is { } outcome && StoredValues.Truth(model, row.Truth) is { } truth)
            {
                outcomes.Add(outcome);
                truths.Add(truth);
            }
        }

        var metrics = outcomes.Count >= _options.LiveQualityMinLabelled
            ? QualityMetrics.Of(model, outcomes, truths)
            : new SortedDictionary<string, double>(StringComparer.Ordinal);
        _metrics.Publish(model, outcomes.Count, metrics);
    }

    /// <summary>A labelled prediction as the live-quality query reads it.</summary>
    internal sealed class LabelledOutputs
    {
        public string Outputs { get; set; } = string.Empty;

        public string Truth { get; set; } = string.Empty;
    }
}
