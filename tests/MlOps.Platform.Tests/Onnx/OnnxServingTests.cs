using System.IO.Compression;
using MlOps.Platform.Onnx;
using Xunit.Abstractions;
using ServingMetrics = MlOps.Platform.Serving.Inference.ServingMetrics;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// A model host serves the model.zip training made of an ONNX file: ready, predicting as the producer did, reloading
/// another registered version, and keeping the serving model when a broken one comes.
/// </summary>
public sealed class OnnxServingTests(ITestOutputHelper output) : IDisposable
{
    private readonly ModelFolder _serving = new();

    [Fact]
    public void The_host_serves_the_producers_predictions_and_hot_reloads_another_registered_version()
    {
        var model = OnnxCase.Of("sklearn_multiclass_zipmap");
        using var repository = new OnnxRepository(model);
        var first = repository.Train();
        var second = repository.Train();
        second.Version.Should().NotBe(first.Version);
        _serving.Install(Registered(repository, first.Version));
        using var host = Host(model);

        var load = host.TryLoad();

        load.Loaded.Should().BeTrue(load.Message);
        host.IsReady.Should().BeTrue();
        host.Status.Should().Contain($"{first.Version} is loaded and passed its canary prediction");
        var scored = host.Predict(model.Rows())!;
        scored.Model.Version.Should().Be(first.Version);
        model.Expected.ShouldMatch(model, scored.Scores);

        _serving.Install(Registered(repository, second.Version));
        var reload = host.TryLoad();

        reload.Loaded.Should().BeTrue(reload.Message);
        reload.Previous!.Version.Should().Be(first.Version);
        var rescored = host.Predict(model.Rows())!;
        rescored.Model.Version.Should().Be(second.Version);
        model.Expected.ShouldMatch(model, rescored.Scores);
    }

    [Theory]
    [InlineData("not a zip file")]
    [InlineData("no model.onnx inside")]
    [InlineData("a truncated model.onnx inside")]
    [InlineData("NaN weights inside")]
    [InlineData("an operator the runtime does not implement inside")]
    public void A_broken_model_zip_does_not_replace_the_serving_onnx_model(string broken)
    {
        var model = OnnxCase.Of("torch_binary");
        using var repository = new OnnxRepository(model);
        var serving = repository.Train();
        _serving.Install(repository.ServingModel);
        using var host = Host(model);
        host.TryLoad().Loaded.Should().BeTrue();
        var graph = model.Graph;

        ReplaceModel(broken switch
        {
            "not a zip file" => "this is not a zip file"u8.ToArray(),
            "no model.onnx inside" => Zip("model.bin", graph),
            "a truncated model.onnx inside" => Zip(OnnxKind.EntryName, graph[..(graph.Length / 2)]),
            "NaN weights inside" => Zip(OnnxKind.EntryName, [.. graph[..^1024], .. Enumerable.Repeat((byte)0xff, 512), .. graph[^512..]]),
            _ => Zip(OnnxKind.EntryName, OnnxCase.Of("unsupported_operator").Graph),
        });
        var reload = host.TryLoad();

        output.WriteLine(reload.Message);
        reload.Loaded.Should().BeFalse();
        host.LastReloadFailure.Should().NotBeNull();
        host.Status.Should().Contain("was refused");
        host.Model!.Version.Should().Be(serving.Version);
        model.Expected.ShouldMatch(model, host.Predict(model.Rows())!.Scores);
    }

    public void Dispose() => _serving.Dispose();

    private static string Registered(OnnxRepository repository, string version) =>
        Path.Combine(ModelRegistry.PathOf(repository.Output, version), TrainedModel.FileName);

    private static byte[] Zip(string entryName, byte[] content)
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry(entryName).Open();
            entry.Write(content);
        }

        return zip.ToArray();
    }

    private ModelHost Host(OnnxCase model) =>
        new(model, _serving.ModelPath, new ServingMetrics(Prometheus.Metrics.NewCustomRegistry()).For(model), driftWindow: 1000);

    /// <summary>Replaces the served model.zip (its manifest stays), renamed into place as a deployment does.</summary>
    private void ReplaceModel(byte[] bytes)
    {
        File.WriteAllBytes(_serving.ModelPath + ".tmp", bytes);
        File.Move(_serving.ModelPath + ".tmp", _serving.ModelPath, overwrite: true);
    }
}
