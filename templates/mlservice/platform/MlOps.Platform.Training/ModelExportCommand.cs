using System.Globalization;

namespace MlOps.Platform.Training;

/// <summary>
/// <c>export-onnx</c> (<c>make export-onnx MODEL=&lt;name&gt;</c>): the serving model, converted to ONNX by the ONNX kind
/// (<see cref="IModelExporter"/> of MlOps.Platform.Onnx, found by name so this package never references ONNX Runtime),
/// checked to score every row of the model's data as the ML.NET pipeline does, and written for any ONNX runtime.
/// </summary>
public static class ModelExportCommand
{
    /// <summary>The format, and the kind that writes it.</summary>
    public const string Format = "onnx";

    /// <summary>The file written in the model's folder when no other is named: <c>models/&lt;name&gt;/model.onnx</c>.</summary>
    public const string FileName = "model.onnx";

    /// <summary>
    /// Exports the serving model of the options' model to <see cref="TrainingOptions.ExportFile"/> and prints the file,
    /// its size, its inputs and outputs and the largest differences over the data's rows.
    /// </summary>
    /// <exception cref="TrainingException">
    /// The model is not trained here (an imported ONNX model already is ONNX), the package is missing, the model or data
    /// cannot be loaded, or the export was refused (a step the converter cannot convert, or a disagreement); exit code 1.
    /// </exception>
    public static ModelExport Run(TrainingOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var definition = options.Definition;
        if (!definition.Kind.TrainsHere)
        {
            throw new TrainingException(definition.Kind.Name == ImportedGraph.KindName
                ? $"Model '{definition.Name}' is an imported ONNX model: it already is ONNX. Its graph is {ImportedGraph.PathIn(options.Root, definition.Name)} (served packaged in {Path.Combine(options.Output, TrainedModel.FileName)}); hand that file on as it is."
                : $"Model '{definition.Name}' is of kind {definition.Kind.Name}, made elsewhere: only the models trained here (ML.NET pipelines) can be exported to ONNX.");
        }

        var exporter = ModelKind.Named(Format) as IModelExporter
            ?? throw new TrainingException(
                $"export-onnx needs the MlOps.Platform.Onnx package (ML.NET's ONNX converter and ONNX Runtime), which this training application does not reference. "
                + $"Run make export-onnx MODEL={definition.Name}: it adds <PackageReference Include=\"MlOps.Platform.Onnx\" /> to src/{TrainingOptions.TrainingProject}/{TrainingOptions.TrainingProject}.csproj "
                + "(next to MlOps.Platform.Training; the API and its image stay without it), then exports.");
        var model = TrainingRun.LoadServing(options);

        using (model)
        {
            var rows = TrainingData.Load(definition, options.Data);
            ModelExport export;
            try
            {
                export = exporter.Export(model, [.. rows], options.ExportFile);
            }
            catch (ModelExportException ex)
            {
                throw new TrainingException($"Model {definition.Name} {model.Version} was not exported to ONNX: {ex.Message}", ex);
            }

            Print(export, definition, model.Version, options.Data, log);
            return export;
        }
    }

    private static void Print(ModelExport export, ModelDefinition definition, string version, string data, TextWriter log)
    {
        log.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Exported model {definition.Name} {version} ({definition.Task.ToText()}) to {export.Path} ({export.Bytes:N0} bytes)."));
        foreach (var line in export.Description)
        {
            log.WriteLine($"  {line}");
        }

        log.WriteLine($"Checked on the {export.Rows} rows of {data}, scored by the ML.NET pipeline and by the ONNX graph:");
        foreach (var check in export.Checks)
        {
            log.WriteLine(check.Measure == "rows"
                ? $"  {check.Quantity,-28} differs on {check.Difference:0} row(s) ({check.Output})"
                : string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {check.Quantity,-28} max difference {check.Difference:0.00E+00} ({check.Measure}, tolerance {check.Tolerance:0E+00}; {check.Output})"));
        }

        log.WriteLine($"Both score every row alike: {export.Path} runs on any ONNX runtime. Feed it the inputs above in that order (also recorded in its metadata, mlops.input.*).");
    }
}
