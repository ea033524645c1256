using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace Ml_Service.Api.Serving;

/// <summary>
/// Holds the model being served and a pool of prediction engines for it. A PredictionEngine is not
/// thread-safe, so each request borrows one from the pool and returns it.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private readonly MLContext _ml = new();
    private volatile Loaded? _loaded;
    private volatile string _status = "The model has not been loaded yet.";

    public bool IsReady => _loaded is not null;

    /// <summary>Why the model is not ready, or that it is.</summary>
    public string Status => _status;

    public TrainedModel? Model => _loaded?.Model;

    /// <summary>Loads and canary-checks the model; on failure keeps the reason and serves nothing.</summary>
    public bool TryLoad(string modelPath)
    {
        try
        {
            var model = TrainedModel.Load(_ml, modelPath);
            var pool = new DefaultObjectPoolProvider { MaximumRetained = Environment.ProcessorCount * 2 }
                .Create(new EnginePolicy(_ml, model));
            var previous = Interlocked.Exchange(ref _loaded, new Loaded(model, pool));
            (previous?.Pool as IDisposable)?.Dispose();
            _status = $"Model {model.Version} is loaded and passed its canary prediction.";
            return true;
        }
        catch (ModelLoadException ex)
        {
            _status = ex.Message;
            return false;
        }
    }

    /// <summary>Scores a batch with one pooled engine.</summary>
    /// <exception cref="InvalidOperationException">No model is loaded.</exception>
    public IReadOnlyList<ChurnScore> Predict(IReadOnlyList<ChurnFeatures> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var loaded = _loaded ?? throw new InvalidOperationException(_status);
        var engine = loaded.Pool.Get();
        try
        {
            return instances.Select(engine.Predict).ToList();
        }
        finally
        {
            loaded.Pool.Return(engine);
        }
    }

    public void Dispose() => (_loaded?.Pool as IDisposable)?.Dispose();

    private sealed record Loaded(TrainedModel Model, ObjectPool<PredictionEngine<ChurnFeatures, ChurnScore>> Pool);

    private sealed class EnginePolicy(MLContext ml, TrainedModel model) : PooledObjectPolicy<PredictionEngine<ChurnFeatures, ChurnScore>>
    {
        public override PredictionEngine<ChurnFeatures, ChurnScore> Create() => model.CreateEngine(ml);

        public override bool Return(PredictionEngine<ChurnFeatures, ChurnScore> obj) => true;
    }
}
