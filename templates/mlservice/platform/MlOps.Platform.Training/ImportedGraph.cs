namespace MlOps.Platform.Training;

/// <summary>
/// The part of an import that is a model file trained elsewhere (<c>make add-model ... ONNX=</c>): the file is bound to
/// the model defined from its evaluation data by its kind (found in the kind's package, which the repository's model
/// project references for it), copied into the repository, and its params say it is not trained here.
/// </summary>
public static class ImportedGraph
{
    /// <summary>The kind of an imported graph.</summary>
    public const string KindName = "onnx";

    /// <summary>Binds the graph at <paramref name="path"/> to <paramref name="model"/>, scoring every row of its data.</summary>
    /// <exception cref="TrainingException">The kind's package is missing, or the graph cannot be bound (the message names the input, output or node).</exception>
    public static ImportBinding Bind(string path, ImportedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var kind = ModelKind.Named(KindName)
            ?? throw new TrainingException(
                $"ONNX models need the MlOps.Platform.Onnx package in the model project (make add-model ONNX= adds it); this application cannot load '{path}'.");
        var limits = ModelFileLimits.Default;
        var profile = model.Profile;
        try
        {
            var graph = ModelFiles.ReadRegular(path, "ONNX file", limits.MaxUnpackedBytes, limits.ReadTimeout);
            return kind.Bind(graph, path, model, Rows(model), model.Task switch
            {
                ModelTask.Binary => [profile.Label.Classes[1], profile.Label.Classes[0]],
                ModelTask.Multiclass => model.Label.Classes,
                _ => [],
            });
        }
        catch (ModelLoadException ex)
        {
            throw new TrainingException(ex.Message, ex);
        }
    }

    /// <summary>Where the graph of model <paramref name="name"/> lives in the repository at <paramref name="root"/>: <c>onnx/&lt;name&gt;.onnx</c>.</summary>
    public static string PathIn(string root, string name) => Path.Combine(root, KindName, $"{name}.onnx");

    /// <summary>The params of an imported model: the scaffold's, with the trainer set to the kind (training only evaluates and gates it).</summary>
    public static string Params(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var index = lines.FindIndex(l => l.StartsWith("trainer:", StringComparison.Ordinal));
        if (index < 0)
        {
            throw new TrainingException($"The params of {name} have no 'trainer:' line to set.");
        }

        // The scaffold's trainer and its section go: nothing is fitted here.
        var section = lines.FindIndex(l => l == lines[index]["trainer:".Length..].Trim() + ":");
        if (section >= 0)
        {
            var end = section + 1;
            while (end < lines.Count && lines[end].StartsWith(' '))
            {
                end++;
            }

            lines.RemoveRange(section, end - section);
        }

        index = lines.FindIndex(l => l.StartsWith("trainer:", StringComparison.Ordinal));
        lines[index] = $"# Trained elsewhere and imported from {KindName}/{name}.onnx: make train evaluates it on data/{name}.csv and gates it; nothing is fitted here.";
        lines.Insert(index + 1, $"trainer: {KindName}");
        return string.Join('\n', lines);
    }

    private static List<FeatureRow> Rows(ImportedModel model)
    {
        var profile = model.Profile;
        var rows = new List<FeatureRow>(profile.Rows.Count);
        foreach (var row in profile.Rows)
        {
            var errors = new List<FeatureError>();
            var record = profile.Features.ToDictionary(f => f.Name, f => ImportedModel.Value(f, row.Cells[profile.Csv.IndexOf(f.Column)]), StringComparer.Ordinal);
            rows.Add(model.Validate(record, errors)
                ?? throw new TrainingException($"Line {row.Line} of {profile.Csv.Source} does not fit the model: {string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"))}."));
        }

        return rows;
    }
}
