using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Platform.Onnx;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// <c>make train</c> on a repository with an ONNX file: the file is packaged, evaluated on every row of the data,
/// gated, registered and served with its origin; a gate it cannot pass refuses it; <c>make evaluate</c> scores it.
/// </summary>
public sealed class OnnxTrainingTests
{
    /// <summary>A classifier of each kind of output (logits, ZipMap maps) and a regression.</summary>
    public static TheoryData<string> Imported => ["torch_binary", "sklearn_multiclass_zipmap", "sklearn_regression"];

    [Theory]
    [MemberData(nameof(Imported))]
    public void Train_registers_and_serves_the_onnx_file_with_its_origin_and_the_registered_model_scores_as_the_producer(string caseName)
    {
        var model = OnnxCase.Of(caseName);
        using var repository = new OnnxRepository(model);

        var result = repository.Run("train");

        result.ExitCode.Should().Be(0, $"{result.Output}{result.Error}");
        result.Output.Should().Contain("evaluating the onnx model made elsewhere on every row");
        var manifest = repository.Serving!;
        manifest.Kind.Should().Be("onnx");
        manifest.Trainer.Should().Be("onnx");
        var origin = manifest.Origin!;
        origin["source"].Should().Be($"onnx/{model.Name}.onnx");
        origin["sha256"].Should().Be(Convert.ToHexStringLower(SHA256.HashData(model.Graph)));
        origin["producer"].Should().Be(caseName.StartsWith("torch", StringComparison.Ordinal) ? "pytorch" : "make_models.py");
        origin["producer_version"].Should().NotBe("unknown");
        origin["opset"].Should().StartWith("ai.onnx 13");
        origin["ir_version"].Should().MatchRegex("^[0-9]+$");
        origin["runtime"].Should().Be($"onnxruntime {OnnxKind.RuntimeVersion}");
        var primary = TaskMetrics.PrimaryMetric(model.Task);
        manifest.Metrics[primary].Should().BeGreaterThan(0.3, "the producer's model is evaluated on every row");

        var registered = Path.Combine(ModelRegistry.PathOf(repository.Output, manifest.Version), TrainedModel.FileName);
        File.ReadAllBytes(registered).Should().Equal(File.ReadAllBytes(repository.ServingModel), "the served model is the registered version");
        using var loaded = TrainedModel.Load(registered, model);
        loaded.Version.Should().Be(manifest.Version);
        model.Expected.ShouldMatch(model, loaded.Score(model.Rows()));
    }

    [Theory]
    [InlineData("torch_binary", "quality_gate.min_auc=0.9999", "AUC")]
    [InlineData("sklearn_regression", "quality_gate.min_r2=0.99", "R²")]
    public void A_gate_the_onnx_model_cannot_pass_refuses_it_and_nothing_is_registered_or_served(string caseName, string threshold, string metric)
    {
        using var repository = new OnnxRepository(OnnxCase.Of(caseName));

        var result = repository.Run("train", "--set", threshold);

        result.ExitCode.Should().Be(2, $"{result.Output}{result.Error}");
        result.Error.Should().Contain("Quality gate failed").And.MatchRegex($@"{metric} 0\.[0-9]+ is below the minimum 0\.99");
        File.Exists(repository.ServingModel).Should().BeFalse();
        ModelRegistry.Versions(repository.Output).Should().BeEmpty();
    }

    [Fact]
    public void Evaluate_scores_the_served_onnx_model_on_every_row_as_training_did()
    {
        // One input per column: the binding of skl2onnx's per-column graphs goes through training and evaluation too.
        using var repository = new OnnxRepository(OnnxCase.Of("sklearn_binary_columns"));
        var manifest = repository.Train();

        var result = repository.Run("evaluate");

        result.ExitCode.Should().Be(0, $"{result.Output}{result.Error}");
        result.Output.Should().Contain($"{manifest.Version} (onnx, made elsewhere) on every row").And.Contain("Quality gate passed");
        var evaluation = JsonSerializer.Deserialize<Dictionary<string, double>>(
            File.ReadAllText(Path.Combine(repository.Output, TrainingRun.EvaluationFileName)), TrainingJson.Options);
        evaluation.Should().Equal(manifest.Metrics);
    }
}
