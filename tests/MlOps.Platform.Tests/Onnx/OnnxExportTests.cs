using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MlOps.Platform.Onnx;
using MlOps.Platform.Tests.Fixtures;
using Xunit.Abstractions;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// A model trained here, exported to ONNX with ML.NET's converter (<c>make export-onnx</c>): ONNX Runtime scores every
/// row of the model's data with the written graph as the ML.NET pipeline does, for every task and trainer, within
/// 1e-4 (probabilities, absolute) and 1e-4 (values, relative) and with the same predicted labels; the graph takes the
/// rows' columns and says so in its metadata. A graph that disagrees, a step the converter cannot convert and a model
/// that already is ONNX are refused, and nothing is written.
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-4;

    /// <summary>The outputs of the graph of each task, as ML.NET's converter names them.</summary>
    private static readonly Dictionary<ModelTask, string[]> s_outputs = new()
    {
        [ModelTask.Binary] = ["PredictedLabel.output", "Score.output", "Probability.output"],
        [ModelTask.Multiclass] = ["Score.output", "PredictedClass.output"],
        [ModelTask.Regression] = ["Score.output"],
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("MlOps.Export-").FullName;

    /// <summary>Each sample model with each tree trainer (the sample params train them all with SDCA).</summary>
    public static TheoryData<string, string> TreeTrainers
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var model in ModelCatalog.All)
            {
                data.Add(model.Name, "fasttree");
                data.Add(model.Name, "lightgbm");
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void The_graph_of_each_sample_model_scores_every_data_row_as_the_ml_net_model(string name)
    {
        var model = CatalogModels.Get(name);
        var trained = SharedModel.Of(model);

        var (export, rows) = Export(model, trained.ModelPath, Repository.Root, $"{name} ({trained.Manifest.Trainer})");

        ShouldAgree(export, model, rows);
        ShouldTakeTheRowsColumns(export.Path, model, trained.Manifest.Version);
    }

    [Theory]
    [MemberData(nameof(TreeTrainers))]
    public void The_graph_of_a_tree_ensemble_scores_every_data_row_as_the_ml_net_model(string name, string trainer)
    {
        var model = CatalogModels.Get(name);
        using var folder = ModelsFolder.Empty(model);
        var manifest = folder.Train(("trainer", trainer));
        manifest.Trainer.Should().Be(trainer);

        var (export, rows) = Export(model, folder.ServingModel, Repository.Root, $"{name} ({trainer})");

        ShouldAgree(export, model, rows);
        ShouldTakeTheRowsColumns(export.Path, model, manifest.Version);
    }

    [Fact]
    public void A_model_of_numeric_features_only_gets_a_graph_with_the_numbers_input_only()
    {
        var model = new IrisModel();
        var root = FixtureRepository.For(model);

        var (export, rows) = Export(model, SharedModel.Of(model, root).ModelPath, root, "iris (no categorical feature)");

        ShouldAgree(export, model, rows);
        using var session = new InferenceSession(export.Path);
        session.InputMetadata.Keys.Should().Equal(FeatureRow.NumbersColumn);
        session.ModelMetadata.CustomMetadataMap.Should().NotContainKey("mlops.input.Categories");
    }

    [Fact]
    public void Derived_features_are_inputs_of_the_graph_after_the_numeric_ones_and_the_export_says_to_compute_them()
    {
        var model = new DerivedDiabetesModel();
        var root = FixtureRepository.For(model);

        var (export, rows) = Export(model, SharedModel.Of(model, root).ModelPath, root, "diabetesderived (derived features)");

        ShouldAgree(export, model, rows);
        using var session = new InferenceSession(export.Path);
        session.InputMetadata[FeatureRow.NumbersColumn].Dimensions.Should().Equal(-1, model.NumericFeatures.Count + model.DerivedFeatures.Count);
        session.ModelMetadata.CustomMetadataMap["mlops.input.Numbers"].Should().EndWith("bmi_x_bp,ldl_per_hdl,log_glu,age_band");
        session.ModelMetadata.CustomMetadataMap["mlops.derived"].Should().Contain("bmi_x_bp = ");
        export.Description.Should().Contain(line => line.StartsWith("input Numbers:", StringComparison.Ordinal) && line.Contains("log_glu (derived: ", StringComparison.Ordinal)
            && line.Contains("compute it before scoring", StringComparison.Ordinal));
    }

    [Fact]
    public void A_graph_that_scores_otherwise_than_the_model_is_refused_naming_the_quantity_and_row_and_nothing_is_written()
    {
        var model = CatalogModels.Get("churn");
        using var loaded = TrainedModel.Load(SharedModel.Of(model).ModelPath, model);
        using var folder = ModelsFolder.Empty(model);
        var path = Path.Combine(folder.Path, "model.onnx");
        File.WriteAllText(path, "the previous export");

        // Float arithmetic in another order is never bit for bit the same: no tolerance at all refuses the graph.
        var act = () => OnnxExport.Export(loaded, Rows(model, Repository.Root), path, probabilityTolerance: 0, valueTolerance: 0);

        var refused = act.Should().Throw<ModelExportException>().Which;
        output.WriteLine(refused.Message);
        refused.Message.Should().Contain("does not score the 1000 rows as the ML.NET model does").And.MatchRegex(@"(probability|score) \((Probability|Score)\.output\) differs by up to [0-9.E-]+ \((absolute|relative)\) at data row [0-9]+ \(ML\.NET [-0-9.E]+, ONNX [-0-9.E]+\), above the tolerance 0")
            .And.Contain($"Nothing was written to {path}");
        File.ReadAllText(path).Should().Be("the previous export");
        Directory.EnumerateFiles(folder.Path).Should().Equal([path], "no temporary file is left behind");
    }

    [Fact]
    public void A_step_the_converter_cannot_convert_is_refused_naming_the_step_and_what_it_writes()
    {
        var model = CatalogModels.Get("churn");
        using var loaded = TrainedModel.Load(SharedModel.Of(model).ModelPath, model);
        var ml = new MLContext(seed: 0);
        var rows = Rows(model, Repository.Root);
        // A step written in C# (CustomMapping) has no ONNX form: the converter warns and would start the graph after it.
        var doubled = ml.Transforms.CustomMapping<ChurnNumbers, ChurnNumbers>((input, result) => result.Numbers = [.. input.Numbers.Select(v => v * 2)], contractName: null)
            .Fit(ml.Data.LoadFromEnumerable(rows, model.InputSchema));
        using var custom = TrainedModel.FromTransformer(model, new TransformerChain<ITransformer>(doubled, loaded.Transformer!));
        using var folder = ModelsFolder.Empty(model);
        var path = Path.Combine(folder.Path, "model.onnx");

        var act = () => OnnxExport.Export(custom, rows, path);

        var refused = act.Should().Throw<ModelExportException>().Which;
        output.WriteLine(refused.Message);
        refused.Message.Should().MatchRegex(@"cannot convert step 1 of [0-9]+, CustomMappingTransformer<ChurnNumbers, ChurnNumbers> \(writes Numbers\)\. ")
            .And.Contain("cannot save itself as ONNX").And.NotContain("step 2 of", "every other step converts");
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void An_imported_onnx_model_is_refused_as_already_onnx_naming_its_graph()
    {
        var definition = OnnxCase.Of("torch_regression");
        using var repository = new OnnxRepository(definition);
        repository.Train();
        using var loaded = TrainedModel.Load(repository.ServingModel, definition);
        var path = Path.Combine(repository.Output, "model.onnx");

        var act = () => OnnxExport.Export(loaded, definition.Rows(), path);

        act.Should().Throw<ModelExportException>().WithMessage("Model 'torchregression' is an imported ONNX model: it already is ONNX, its graph is onnx/torchregression.onnx.");
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void No_rows_to_check_on_is_refused()
    {
        var model = CatalogModels.Get("demand");
        using var loaded = TrainedModel.Load(SharedModel.Of(model).ModelPath, model);

        var act = () => OnnxExport.Export(loaded, [], Path.Combine(_folder, "model.onnx"));

        act.Should().Throw<ModelExportException>().WithMessage("*needs at least one row*");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static List<FeatureRow> Rows(ModelDefinition model, string root) => [.. TrainingData.Load(model, Repository.DataPath(model, root))];

    private (ModelExport Export, List<FeatureRow> Rows) Export(ModelDefinition model, string modelPath, string root, string label)
    {
        using var loaded = TrainedModel.Load(modelPath, model);
        var rows = Rows(model, root);
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N"), "model.onnx");
        var started = System.Diagnostics.Stopwatch.StartNew();

        var export = OnnxExport.Export(loaded, rows, path);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {export.Bytes:N0} bytes, {export.Rows} rows compared in {started.Elapsed.TotalSeconds:F1} s"));
        foreach (var line in export.Description)
        {
            output.WriteLine($"  {line}");
        }

        foreach (var check in export.Checks)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {check.Quantity,-26} {check.Difference:0.000E+00} ({check.Measure}, tolerance {check.Tolerance:G3})"));
        }

        return (export, rows);
    }

    private static void ShouldAgree(ModelExport export, ModelDefinition model, List<FeatureRow> rows)
    {
        export.Rows.Should().Be(rows.Count);
        File.Exists(export.Path).Should().BeTrue();
        new FileInfo(export.Path).Length.Should().Be(export.Bytes);
        string[] quantities = model.Task switch
        {
            ModelTask.Binary => ["probability", "score", "predicted label"],
            ModelTask.Multiclass => [.. model.Label.Classes.Select(c => $"probability of {c}"), "predicted class"],
            _ => ["value"],
        };
        export.Checks.Select(c => c.Quantity).Should().Equal(quantities);
        foreach (var check in export.Checks)
        {
            if (check.Measure == "rows")
            {
                check.Difference.Should().Be(0, $"the predicted {check.Quantity} is the same on every row");
            }
            else
            {
                check.Tolerance.Should().Be(Tolerance);
                check.Difference.Should().BeLessThanOrEqualTo(Tolerance, $"{check.Quantity} ({check.Measure})");
            }
        }
    }

    /// <summary>What a team handed the file sees in ONNX Runtime: the rows' columns in, the task's columns out, the feature order in the metadata.</summary>
    private static void ShouldTakeTheRowsColumns(string path, ModelDefinition model, string version)
    {
        using var session = new InferenceSession(path);
        session.InputMetadata.Keys.Should().Equal(FeatureRow.NumbersColumn, FeatureRow.CategoriesColumn);
        session.InputMetadata[FeatureRow.NumbersColumn].Dimensions.Should().Equal(-1, model.NumericFeatures.Count);
        session.InputMetadata[FeatureRow.CategoriesColumn].Dimensions.Should().Equal(-1, model.CategoricalFeatures.Count);
        session.OutputMetadata.Keys.Should().Contain(s_outputs[model.Task]);
        session.OutputMetadata.Keys.Except(s_outputs[model.Task])
            .Where(o => !(o.StartsWith("mlnet.", StringComparison.Ordinal) && o.EndsWith(".unusedOutput", StringComparison.Ordinal)))
            .Should().BeEmpty("the converter adds nothing but its own unused outputs (mlnet.Score.unusedOutput of a multiclass graph)");
        var metadata = session.ModelMetadata.CustomMetadataMap;
        metadata["mlops.model"].Should().Be(model.Name);
        metadata["mlops.version"].Should().Be(version);
        metadata["mlops.task"].Should().Be(model.Task.ToText());
        metadata["mlops.input.Numbers"].Should().Be(string.Join(",", model.NumericFeatures.Select(f => f.Name)));
        metadata["mlops.input.Categories"].Should().Be(string.Join(",", model.CategoricalFeatures.Select(f => f.Name)));
        if (model.Task == ModelTask.Multiclass)
        {
            metadata["mlops.classes"].Should().Be(string.Join(",", model.Label.Classes));
        }
    }

    /// <summary>The numeric features of the churn model, for a step the converter cannot convert.</summary>
    public sealed class ChurnNumbers
    {
#pragma warning disable CA1819 // ML.NET maps vector columns to arrays.
        [VectorType(3)]
        public float[] Numbers { get; set; } = [];
#pragma warning restore CA1819
    }
}
