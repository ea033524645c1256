namespace MlOps.Platform;

/// <summary>
/// Writes a model trained here (an ML.NET pipeline) in a format other runtimes score, and checks that the written file
/// scores rows as the model does. A model kind of another package implements it: the ONNX kind of MlOps.Platform.Onnx,
/// found with <c>ModelKind.Named("onnx") as IModelExporter</c>, so training exports without referencing that package
/// (and a repository that never exports never restores ONNX Runtime).
/// </summary>
public interface IModelExporter
{
    /// <summary>The format written, as the command names it (<c>onnx</c>).</summary>
    string Format { get; }

    /// <summary>
    /// Converts <paramref name="model"/> and writes it to <paramref name="path"/>, then opens the written file with the
    /// format's runtime and scores <paramref name="rows"/> through both. The file is written only when both score every
    /// row alike within the exporter's tolerances.
    /// </summary>
    /// <param name="model">A loaded model with its pipeline (<see cref="TrainedModel.Transformer"/>).</param>
    /// <param name="rows">The rows to compare on (the model's data), validated by its definition.</param>
    /// <param name="path">The file to write; its folder is created. A file already there is replaced.</param>
    /// <exception cref="ModelExportException">
    /// The model has no pipeline, a step cannot be converted (named), the runtime cannot load the result, or the two
    /// disagree beyond a tolerance (the quantity, the difference and the row are named); nothing was written.
    /// </exception>
    ModelExport Export(TrainedModel model, IReadOnlyList<FeatureRow> rows, string path);
}

/// <summary>A model written in another format and checked against the model.</summary>
/// <param name="Path">The file written.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Description">What the file is, one line each: format, producer and opsets, then each input (with the features it takes) and output.</param>
/// <param name="Rows">The rows both scored.</param>
/// <param name="Checks">How far apart the two scored the rows, one check per quantity of the task.</param>
public sealed record ModelExport(string Path, long Bytes, IReadOnlyList<string> Description, int Rows, IReadOnlyList<ExportCheck> Checks);

/// <summary>The largest difference of one quantity of a task between a model and its export, over every row compared.</summary>
/// <param name="Quantity">What is compared (<c>probability</c>, <c>score</c>, <c>probability of premium</c>, <c>value</c>, <c>predicted class</c>).</param>
/// <param name="Output">The exported file's output it was read from.</param>
/// <param name="Difference">
/// The largest difference over the rows (<see cref="Measure"/> says how it is measured); for a predicted label, the
/// number of rows whose labels differ where the model's own decision was not a tie within the tolerance.
/// </param>
/// <param name="Tolerance">The largest difference accepted.</param>
/// <param name="Measure"><c>absolute</c>; <c>relative</c> (to the model's value, or absolute below 1); or <c>rows</c> for a label.</param>
public sealed record ExportCheck(string Quantity, string Output, double Difference, double Tolerance, string Measure)
{
    /// <summary>True when the difference is within the tolerance.</summary>
    public bool Passed => Difference <= Tolerance;
}

/// <summary>A model could not be exported, or its export does not score as it does; the message says why and names the step, output or row.</summary>
public sealed class ModelExportException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ModelExportException"/> class.</summary>
    public ModelExportException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelExportException"/> class with a specified error message.</summary>
    public ModelExportException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelExportException"/> class with a specified error message and the exception that caused it.</summary>
    public ModelExportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
