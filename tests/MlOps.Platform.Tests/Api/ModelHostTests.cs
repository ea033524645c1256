using Prometheus;
using ModelHost = MlOps.Platform.Serving.Inference.ModelHost;
using ServingMetrics = MlOps.Platform.Serving.Inference.ServingMetrics;

namespace MlOps.Platform.Tests.Api;

/// <summary>A model host on its own: swapping models while many threads predict never fails a prediction.</summary>
public sealed class ModelHostTests : IDisposable
{
    private readonly ModelFolder _other = new();

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public async Task Predictions_never_fail_while_models_are_swapped_again_and_again(string name)
    {
        var definition = ServedModelCases.Model(name);
        var trained = SharedModel.Of(definition);
        _other.Install(trained.ModelPath);
        using var host = new ModelHost(definition, trained.ModelPath, new ServingMetrics(Metrics.NewCustomRegistry()).For(definition), 1000);
        host.TryLoad().Loaded.Should().BeTrue();
        var canary = host.Model!.CanaryRow();
        using var stop = new CancellationTokenSource();
        var predicted = 0L;
        // Two callers that never pause: more would starve the loads they must not disturb on a two-core machine.
        var workers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var scored = host.Predict([canary]);
                scored.Should().NotBeNull("a model serves at every moment of a swap");
                scored!.Scores.Should().ContainSingle().Which.IsValid.Should().BeTrue();
                Interlocked.Increment(ref predicted);
            }
        })).ToArray();

        // Swap only once the workers really predict: on a busy machine they may start late.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Interlocked.Read(ref predicted) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        // Ten swaps per model: each swap loads, canary-checks and warms a whole model.
        for (var swap = 0; swap < 10; swap++)
        {
            var load = host.TryLoad(swap % 2 == 0 ? _other.ModelPath : trained.ModelPath);
            load.Loaded.Should().BeTrue(load.Message);
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Interlocked.Read(ref predicted).Should().BePositive();
    }

    [Theory]
    [MemberData(nameof(ServedModelCases.All), MemberType = typeof(ServedModelCases))]
    public void A_model_file_of_another_model_is_refused(string name)
    {
        var definition = ServedModelCases.Model(name);
        _other.Install(SharedModel.Of(definition).ModelPath, manifest => manifest["model"] = "othermodel");
        using var host = new ModelHost(definition, _other.ModelPath, new ServingMetrics(Metrics.NewCustomRegistry()).For(definition), 1000);

        var outcome = host.TryLoad();

        outcome.Loaded.Should().BeFalse();
        outcome.Message.Should().Contain("'othermodel'").And.Contain($"'{name}'");
        host.IsReady.Should().BeFalse();
    }

    public void Dispose() => _other.Dispose();
}
