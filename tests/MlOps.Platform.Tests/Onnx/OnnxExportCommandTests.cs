using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// The training app's <c>export-onnx</c> (what <c>make export-onnx MODEL=&lt;name&gt;</c> runs): the serving model of a
/// models folder is exported to <c>model.onnx</c> beside it (or to <c>--file</c>), the command prints the file, its size,
/// its inputs and outputs and the largest differences over the data's rows; a model not trained, unknown or imported
/// from ONNX is refused with exit code 1 and the reason. It reaches the ONNX package only through
/// <see cref="IModelExporter"/>, found by the kind's name.
/// </summary>
public sealed class OnnxExportCommandTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void Export_onnx_writes_the_graph_beside_the_serving_model_and_prints_the_file_its_inputs_outputs_and_differences(string name)
    {
        var model = CatalogModels.Get(name);
        using var folder = ModelsFolder.CopyOf(SharedModel.Of(model));
        var before = folder.Snapshot();

        var result = folder.Run("export-onnx");

        output.WriteLine(result.ToString());
        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().BeEmpty();
        var file = Path.Combine(folder.Path, "model.onnx");
        var bytes = new FileInfo(file).Length;
        var rows = File.ReadLines(Repository.DataPath(model)).Skip(1).Count(l => l.Length > 0);
        var text = result.Output;
        text.Should().Contain(string.Create(CultureInfo.InvariantCulture, $"Exported model {name} {folder.Serving!.Version} ({model.Task.ToText()}) to {file} ({bytes:N0} bytes)."));
        text.Should().MatchRegex(@"(?m)^  ONNX graph written by Microsoft\.ML\.OnnxConverter 0\.23\.1 \(producer ML\.NET\), IR version [0-9]+, opset ai\.onnx [0-9]+, ai\.onnx\.ml [0-9]+; checked with ONNX Runtime 1\.32\.0\.$");
        text.Should().Contain($"  input Numbers: tensor(float) [?, {model.NumericFeatures.Count}], one row per instance: {string.Join(", ", model.NumericFeatures.Select(f => f.Name))}")
            .And.Contain($"  input Categories: tensor(string) [?, {model.CategoricalFeatures.Count}], one row per instance: {string.Join(", ", model.CategoricalFeatures.Select(f => f.Name))}")
            .And.Contain("  output Score.output: tensor(float)");
        text.Should().Contain($"Checked on the {rows} rows of {Repository.DataPath(model)}, scored by the ML.NET pipeline and by the ONNX graph:");
        var differences = Regex.Matches(text, @"(?m)^  (?<quantity>.+?) +max difference (?<value>[0-9.E+-]+) \((?<measure>absolute|relative), tolerance 1E-04; ").ToList();
        differences.Should().NotBeEmpty();
        differences.Should().OnlyContain(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture) <= 1e-4);
        if (model.Task != ModelTask.Regression)
        {
            text.Should().MatchRegex(@"(?m)^  predicted (label|class) +differs on 0 row\(s\) \(Predicted(Label|Class)\.output\)$");
        }

        text.Should().Contain($"Both score every row alike: {file} runs on any ONNX runtime.");
        folder.Snapshot("model.onnx").Should().Equal(before, "an export changes nothing but its own file");
    }

    [Fact]
    public void File_writes_the_graph_where_it_says_and_nothing_beside_the_model()
    {
        var model = CatalogModels.Get("plan");
        using var folder = ModelsFolder.CopyOf(SharedModel.Of(model));
        var file = Path.Combine(folder.Path, "handover", "plan-for-partners.onnx");

        var result = folder.Run("export-onnx", "--file", file);

        result.ExitCode.Should().Be(0, result.ToString());
        File.Exists(file).Should().BeTrue();
        File.Exists(Path.Combine(folder.Path, "model.onnx")).Should().BeFalse();
        result.Output.Should().Contain($" to {file} (");
    }

    [Fact]
    public void A_model_not_trained_yet_is_refused_saying_to_train_it_first()
    {
        using var folder = ModelsFolder.Empty(CatalogModels.Get("churn"));

        var result = folder.Run("export-onnx");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().StartWith("error: Model file '").And.Contain("does not exist. Train one first (make train).");
        Directory.EnumerateFileSystemEntries(folder.Path).Should().BeEmpty();
    }

    [Fact]
    public void An_unknown_model_is_refused_naming_the_models()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = TrainingApp.Run(["export-onnx", "--model", "nosuchmodel", "--root", Repository.Root], output, error);

        exitCode.Should().Be(1);
        error.ToString().Should().Contain("Unknown model 'nosuchmodel'").And.Contain(string.Join(", ", ModelCatalog.All.Select(m => m.Name)));
    }

    [Fact]
    public void An_imported_onnx_model_is_refused_saying_it_already_is_onnx_and_where_its_graph_is()
    {
        using var repository = new OnnxRepository(OnnxCase.Of("torch_binary"));

        var result = repository.Run("export-onnx");

        result.ExitCode.Should().Be(1, $"{result.Output}{result.Error}");
        result.Error.Should().Be(
            $"error: Model 'torchbinary' is an imported ONNX model: it already is ONNX. Its graph is {Path.Combine(repository.Root, "onnx", "torchbinary.onnx")} "
            + $"(served packaged in {repository.ServingModel}); hand that file on as it is.{Environment.NewLine}");
        File.Exists(Path.Combine(repository.Output, "model.onnx")).Should().BeFalse();
    }

    [Fact]
    public void The_onnx_kind_is_the_exporter_training_finds_by_name()
    {
        var exporter = ModelKind.Named("onnx").Should().BeAssignableTo<IModelExporter>().Subject;

        exporter.Format.Should().Be("onnx");
        ModelKind.Named("ml.net").Should().NotBeAssignableTo<IModelExporter>("ML.NET pipelines are what is exported");
    }

    [Fact]
    public void Export_onnx_is_a_command_whose_file_option_no_other_command_takes()
    {
        var options = TrainingOptions.Parse(["export-onnx", "--model", "churn", "--models", "elsewhere"]);

        options.Command.Should().Be(TrainingCommand.ExportOnnx);
        options.For(CatalogModels.Get("churn")).ExportFile.Should().Be(Path.Combine("elsewhere", "churn", "model.onnx"));
        TrainingOptions.Parse(["export-onnx", "--file", "out/churn.onnx"]).ExportPath.Should().Be("out/churn.onnx");
        TrainingOptions.Usage.Should().Contain("export-onnx [--file <path>]").And.Contain("--file <path>        the .onnx file export-onnx writes");

        var act = () => TrainingOptions.Parse(["evaluate", "--file", "out/churn.onnx"]);
        act.Should().Throw<TrainingException>().WithMessage("--file names the file export-onnx writes; 'evaluate' writes none.");
        var extra = () => TrainingOptions.Parse(["export-onnx", "churn"]);
        extra.Should().Throw<TrainingException>().WithMessage("'export-onnx' takes no arguments.*");
    }
}
