using System.Collections.Concurrent;
using Microsoft.ML;

namespace MlOps.Platform;

/// <summary>The models <c>make train</c> fits with ML.NET: <c>model.zip</c> is the saved pipeline (features and trainer).</summary>
public sealed class MlNetKind : ModelKind
{
    /// <summary>The one instance: every definition that does not say otherwise is of this kind.</summary>
    public static MlNetKind Instance { get; } = new();

    private MlNetKind()
    {
    }

    /// <inheritdoc />
    public override string Name => "ml.net";

    /// <inheritdoc />
    public override bool TrainsHere => true;

    /// <inheritdoc />
    public override ModelScorer Open(byte[] archive, ModelDefinition definition, string path)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var ml = new MLContext();
        ITransformer transformer;
        try
        {
            transformer = ml.Model.Load(new MemoryStream(archive, writable: false), out _);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ModelLoadException($"Model file '{path}' is corrupt or was not written by this trainer: {ex.Message}", "model file is corrupt", ex);
        }

        return new MlNetScorer(ml, definition, transformer);
    }
}

/// <summary>
/// Scores with a fitted ML.NET pipeline. A PredictionEngine is not thread-safe, so each batch borrows one from a
/// small pool and returns it; the pool keeps at most two per core.
/// </summary>
public sealed class MlNetScorer : ModelScorer
{
    private readonly MLContext _ml;
    private readonly ModelDefinition _definition;
    private readonly ConcurrentBag<Engine> _idle = [];
    private readonly int _maxIdle = Environment.ProcessorCount * 2;
    private volatile bool _disposed;

    /// <summary>A scorer of <paramref name="transformer"/>, a pipeline fitted for <paramref name="definition"/>.</summary>
    public MlNetScorer(MLContext ml, ModelDefinition definition, ITransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(transformer);
        _ml = ml;
        _definition = definition;
        Transformer = transformer;
    }

    /// <summary>The fitted pipeline: feature transforms and trainer.</summary>
    public ITransformer Transformer { get; }

    /// <summary>
    /// A prediction engine with the output type of the model's task (<see cref="BinaryPrediction"/>,
    /// <see cref="MulticlassPrediction"/> or <see cref="RegressionPrediction"/>). Not thread-safe.
    /// </summary>
    public PredictionEngine<FeatureRow, TPrediction> CreateEngine<TPrediction>()
        where TPrediction : class, new() =>
        _ml.Model.CreatePredictionEngine<FeatureRow, TPrediction>(Transformer, ignoreMissingColumns: true, inputSchemaDefinition: _definition.InputSchema);

    /// <summary>Builds one engine ahead, so the first request after a swap does not pay for it.</summary>
    public void Warm() => _idle.Add(NewEngine());

    /// <inheritdoc />
    public override Outcome[] Score(IReadOnlyList<FeatureRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var engine = _idle.TryTake(out var idle) ? idle : NewEngine();
        try
        {
            var outcomes = new Outcome[rows.Count];
            for (var i = 0; i < outcomes.Length; i++)
            {
                outcomes[i] = engine.Score(rows[i]);
            }

            return outcomes;
        }
        finally
        {
            if (_disposed || _idle.Count >= _maxIdle)
            {
                engine.Dispose();
            }
            else
            {
                _idle.Add(engine);
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        while (_idle.TryTake(out var engine))
        {
            engine.Dispose();
        }
    }

    private Engine NewEngine() => _definition.Task switch
    {
        ModelTask.Binary => new Engine<BinaryPrediction>(CreateEngine<BinaryPrediction>(), p => new BinaryOutcome(p.PredictedLabel, p.Probability, p.Score)),
        ModelTask.Multiclass => new Engine<MulticlassPrediction>(CreateEngine<MulticlassPrediction>(), p => new MulticlassOutcome(p.PredictedLabel, p.Score)),
        _ => new Engine<RegressionPrediction>(CreateEngine<RegressionPrediction>(), p => new RegressionOutcome(p.Score)),
    };

    private abstract class Engine : IDisposable
    {
        public abstract Outcome Score(FeatureRow row);

        public abstract void Dispose();
    }

    private sealed class Engine<TPrediction>(PredictionEngine<FeatureRow, TPrediction> engine, Func<TPrediction, Outcome> outcome) : Engine
        where TPrediction : class, new()
    {
        public override Outcome Score(FeatureRow row) => outcome(engine.Predict(row));

        public override void Dispose() => engine.Dispose();
    }
}
