using System.Diagnostics;

namespace MlOps.Platform.Serving.Inference;

/// <summary>
/// Holds one model of the repository (<see cref="Definition"/>) as it is served, whatever its kind: the loaded model's
/// scorer is thread-safe and shared by every request.
/// A new model is loaded and canary-checked beside the serving one, then swapped in atomically:
/// requests that started on the old model finish on it, later ones use the new model, and the
/// old one is disposed when its last request returns. A model that fails to load never replaces a
/// good one.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private readonly ModelMetrics _metrics;
    private readonly int _driftWindow;
    private readonly ModelFileLimits _limits;
    private volatile Served? _served;
    private volatile string _notReadyReason;
    private volatile LoadFailure? _lastFailure;

    /// <param name="definition">The model this host serves.</param>
    /// <param name="modelPath">Full path of its <c>model.zip</c>.</param>
    /// <param name="metrics">The model's series of the serving metrics.</param>
    /// <param name="driftWindow">Latest inputs each feature's drift is computed over.</param>
    /// <param name="limits">How large and slow the model's files may be (<see cref="ModelFileLimits.Default"/> when null).</param>
    public ModelHost(ModelDefinition definition, string modelPath, ModelMetrics metrics, int driftWindow, ModelFileLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentNullException.ThrowIfNull(metrics);
        Definition = definition;
        ModelPath = modelPath;
        _metrics = metrics;
        _driftWindow = driftWindow;
        _limits = limits ?? ModelFileLimits.Default;
        _notReadyReason = $"Model {definition.Name} has not been loaded yet.";
        // Drift is computed when Prometheus asks for it, not on every request.
        metrics.BeforeScrape(() => _served?.Drift?.Publish());
    }

    /// <summary>The model this host serves.</summary>
    public ModelDefinition Definition { get; }

    /// <summary>The model's series of the serving metrics.</summary>
    public ModelMetrics Metrics => _metrics;

    /// <summary>Where the model is loaded from (and watched for a new one).</summary>
    public string ModelPath { get; }

    /// <summary>Whether a model is loaded and answers predictions.</summary>
    public bool IsReady => _served is not null;

    /// <summary>
    /// Why the model is not ready, or which one serves (and the last failed reload, if any), in short reasons that name
    /// no path and quote no system message: it is shown to anyone who can reach the probes. The log has the details.
    /// </summary>
    public string Status => _served is { } served ? ServingStatus(served.Model) : _notReadyReason;

    /// <summary>The model serving now; null until one loaded.</summary>
    public TrainedModel? Model => _served?.Model;

    /// <summary>The last load attempt that failed after the serving model loaded; cleared by a successful reload.</summary>
    public LoadFailure? LastReloadFailure => _served is null ? null : _lastFailure;

    /// <summary>
    /// Loads <c>model.zip</c> with its manifest, runs the canary (which warms the scorer) and swaps it in.
    /// On failure the model serving so far (if any) keeps serving and the reason is kept.
    /// </summary>
    public LoadOutcome TryLoad() => TryLoad(ModelPath);

    /// <inheritdoc cref="TryLoad()"/>
    /// <param name="modelPath">Another file than <see cref="ModelPath"/> (tests).</param>
    /// <param name="cancellationToken">Stops waiting for a slow file (shutdown).</param>
    public LoadOutcome TryLoad(string modelPath, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        TrainedModel model;
        try
        {
            model = TrainedModel.Load(modelPath, Definition, _limits, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever a model file does, the serving model stays and the host keeps watching for the next one.
            var reason = ex is ModelLoadException refused ? refused.Reason : ModelLoadException.DefaultReason;
            _metrics.RecordLoadFailure();
            _lastFailure = new LoadFailure(reason, DateTimeOffset.UtcNow);
            if (_served is null)
            {
                _notReadyReason = $"Model {Definition.Name} is not loaded: {reason}.";
            }

            return new LoadOutcome(false, ex is ModelLoadException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}", _served?.Model, null);
        }

        var (drift, driftNote) = CreateDriftMonitor(model);
        var loadedAt = DateTimeOffset.UtcNow;
        var previous = _served;
        previous?.Drift?.Stop();
        _metrics.ClearDrift();
        _served = new Served(model, drift);
        previous?.Release();
        _lastFailure = null;
        _metrics.RecordServing(model, loadedAt, Stopwatch.GetElapsedTime(started));
        return new LoadOutcome(true, ServingStatus(model), previous?.Model, driftNote);
    }

    /// <summary>Scores a batch with the serving model; null when no model is loaded.</summary>
    public Scored? Predict(IReadOnlyList<FeatureRow> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        while (_served is { } served)
        {
            if (!served.TryAcquire())
            {
                continue; // swapped out and drained since it was read: the next read sees the new model
            }

            try
            {
                var scores = served.Model.Score(instances);
                _metrics.RecordPredictions(instances, scores);
                served.Drift?.Observe(instances);
                return new Scored(served.Model, scores);
            }
            finally
            {
                served.Release();
            }
        }

        return null;
    }

    /// <summary>Releases the serving model: it is disposed once the last request using it returns.</summary>
    public void Dispose() => _served?.Release();

    private (DriftMonitor? Monitor, string Note) CreateDriftMonitor(TrainedModel model)
    {
        try
        {
            var monitor = DriftMonitor.Create(
                Definition,
                DriftReference.FromManifest(model.ManifestJson.Span),
                _driftWindow,
                _metrics.PublishDrift);
            return monitor is null
                ? (null, $"The manifest of model {Definition.Name} {model.Version} has no feature_reference for its features; drift is not published.")
                : (monitor, $"Drift of {string.Join(", ", monitor.Features)} is tracked over the last {_driftWindow} inputs of model {Definition.Name}.");
        }
        catch (FormatException ex)
        {
            return (null, $"Drift is not published for model {model.Version}: {ex.Message}");
        }
    }

    private string ServingStatus(TrainedModel model) =>
        _lastFailure is { } failure
            ? $"Model {Definition.Name} {model.Version} is loaded and passed its canary prediction. The last reload, at {failure.At:u}, was refused: {failure.Reason}."
            : $"Model {Definition.Name} {model.Version} is loaded and passed its canary prediction.";

    /// <summary>A model in service: counts the requests using it, so it is disposed only after the last one.</summary>
    private sealed class Served(TrainedModel model, DriftMonitor? drift)
    {
        private int _leases = 1; // the host's own reference, released when the model is swapped out

        public TrainedModel Model { get; } = model;

        public DriftMonitor? Drift { get; } = drift;

        public bool TryAcquire()
        {
            var leases = Volatile.Read(ref _leases);
            while (leases > 0)
            {
                var seen = Interlocked.CompareExchange(ref _leases, leases + 1, leases);
                if (seen == leases)
                {
                    return true;
                }

                leases = seen;
            }

            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _leases) == 0)
            {
                Model.Dispose();
            }
        }
    }
}

/// <summary>The predictions of one batch and the model that made them.</summary>
public sealed record Scored(TrainedModel Model, IReadOnlyList<Outcome> Scores)
{
    /// <summary>Whether any prediction of the batch holds NaN or an infinite number (<see cref="Outcome.IsValid"/>).</summary>
    public bool HasInvalidScore => Scores.Any(s => !s.IsValid);
}

/// <summary>A load attempt that was refused: why, and when.</summary>
public sealed record LoadFailure(string Reason, DateTimeOffset At);

/// <summary>What a load attempt did: <paramref name="Message"/> is the new status or the failure reason.</summary>
/// <param name="Loaded">Whether the new model now serves.</param>
/// <param name="Message">The serving status after a success, the reason after a failure.</param>
/// <param name="Previous">The model that served before a success, or that keeps serving after a failure.</param>
/// <param name="DriftNote">After a success: whether and how drift is tracked for the new model.</param>
public sealed record LoadOutcome(bool Loaded, string Message, TrainedModel? Previous, string? DriftNote);
