using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Prometheus;
using ModelHost = Ml_Service.Api.Serving.ModelHost;
using ServingMetrics = Ml_Service.Api.Serving.ServingMetrics;
using ServingOptions = Ml_Service.Api.Serving.ServingOptions;

namespace Ml_Service.Tests.Api;

/// <summary>The model host on its own: swapping models while many threads predict never fails a prediction.</summary>
public sealed class ModelHostTests : IDisposable
{
    private readonly ModelFolder _other = new();

    [Fact]
    public async Task Predictions_never_fail_while_models_are_swapped_again_and_again()
    {
        _other.Install(SharedModel.ModelPath);
        var options = Options.Create(new ServingOptions { Path = SharedModel.ModelPath });
        var environment = new HostingEnvironment { ContentRootPath = Path.GetTempPath() };
        using var host = new ModelHost(new ServingMetrics(Metrics.NewCustomRegistry(), options, environment), options);
        host.TryLoad(SharedModel.ModelPath).Loaded.Should().BeTrue();
        using var stop = new CancellationTokenSource();
        var predicted = 0L;
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var scored = host.Predict([FeatureSchema.Canary]);
                scored.Should().NotBeNull("a model serves at every moment of a swap");
                scored!.Scores.Should().ContainSingle().Which.Probability.Should().BeInRange(0, 1);
                Interlocked.Increment(ref predicted);
            }
        })).ToArray();

        // Swap only once the workers really predict: on a busy machine they may start late.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Interlocked.Read(ref predicted) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        for (var swap = 0; swap < 30; swap++)
        {
            host.TryLoad(swap % 2 == 0 ? _other.ModelPath : SharedModel.ModelPath).Loaded.Should().BeTrue();
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Interlocked.Read(ref predicted).Should().BePositive();
    }

    public void Dispose() => _other.Dispose();
}
