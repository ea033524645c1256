using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlOps.Platform.Training;

/// <summary>
/// Turns a team's CSV into a model of the repository (<c>make add-model NAME=... DATA=... LABEL=...</c>): profiles the
/// data (<see cref="DataProfile"/>), then writes the model's definition, its data in the repository's form, gate
/// thresholds measured against the data's baseline, the model card with the data profile, the example request and
/// the canary from real rows, and its tests through the testing kit. Everything is checked before the first file is
/// written: a refusal changes nothing.
/// </summary>
public static class ModelImport
{
    /// <summary>
    /// How much better than the baseline measured on the data (chance AUC 0.5, the most frequent class's macro-F1) a
    /// classifier's primary metric must be: a first gate that any learnable data passes; raise it once the model's
    /// real quality is known.
    /// </summary>
    public const double GateMargin = 0.05;

    /// <summary>The R² a regression must reach (0 is the training mean) and how much lower than the mean's its RMSE must be.</summary>
    public const double RegressionMinR2 = 0.02;

    /// <inheritdoc cref="RegressionMinR2"/>
    public const double RegressionMinRmseGain = 0.01;

    /// <summary>The files an import writes, relative to the repository root.</summary>
    public sealed record Paths(string Data, string Params, string Card, string Example, string Code, string Tests);

    /// <summary>Profiles the data and prints what an import would write; writes nothing.</summary>
    public static DataProfile Check(ImportOptions options, TextWriter output) => Inspect(options, output).Profile;

    /// <summary>Profiles the data (and binds the graph of <see cref="ImportOptions.Onnx"/>, if any) and prints what it found.</summary>
    private static (DataProfile Profile, ImportBinding? Binding) Inspect(ImportOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var profile = DataProfile.Of(CsvFile.Read(options.Data), options.Label, options.Task, options.Positive);
        if (options.Onnx is null)
        {
            PrintSchema(options.Name, profile, output);
            return (profile, null);
        }

        profile = profile.WithCodesAsNumbers();
        PrintSchema(options.Name, profile, output);
        var binding = ImportedGraph.Bind(options.Onnx, new ImportedModel(options.Name, profile));
        output.WriteLine();
        foreach (var line in binding.Report)
        {
            output.WriteLine(line);
        }

        return (profile, binding);
    }

    /// <summary>Profiles the data and writes every file of the model (over the scaffold <c>make add-model</c> rendered for the task).</summary>
    public static DataProfile Write(ImportOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var (profile, binding) = Inspect(options, output);
        var model = new ImportedModel(options.Name, profile);
        var paths = options.Files;
        var code = ModelCode(model, NamespaceOf(paths.Code), binding);
        var tests = TestsCode(options.Name, NamespaceOf(paths.Tests));
        var scaffold = File.ReadAllText(paths.Params);
        var gate = WriteModelFiles(model, paths, binding is null ? scaffold : ImportedGraph.Params(scaffold, options.Name));
        File.WriteAllText(paths.Code, code);
        File.WriteAllText(paths.Tests, tests);
        var stub = LargeData.Track(paths.Data);
        var written = new List<string> { paths.Data, paths.Params, paths.Code, paths.Tests, paths.Example, paths.Card };
        if (binding is not null)
        {
            var graph = ImportedGraph.PathIn(options.Root, options.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(graph)!);
            File.Copy(options.Onnx!, graph, overwrite: true);
            written.Add(graph);
        }

        output.WriteLine();
        output.WriteLine("Written:");
        foreach (var path in written)
        {
            output.WriteLine($"  {Path.GetRelativePath(options.Root, path)}");
        }

        if (stub is not null)
        {
            var data = Path.GetRelativePath(options.Root, paths.Data);
            output.WriteLine(
                $"  {Path.GetRelativePath(options.Root, stub)}: {data} is larger than {LargeData.ThresholdBytes / (1024 * 1024)} MiB, so git ignores it " +
                $"(data/.gitignore) and this DVC stub tracks it: commit the stub, then dvc push (README, \"Data and DVC\").");
        }

        output.WriteLine();
        output.WriteLine("Review before you commit:");
        output.WriteLine($"  - the kind and range of each feature in {Path.GetRelativePath(options.Root, paths.Code)} (ranges are the observed ones widened by {DataProfile.RangeMargin * 100:0}% of their width on each side);");
        output.WriteLine($"  - the gate thresholds in {Path.GetRelativePath(options.Root, paths.Params)} ({string.Join(", ", gate.Select(g => $"{g.Key} {Number(g.Value)}"))});");
        output.WriteLine($"  - the sections of {Path.GetRelativePath(options.Root, paths.Card)} marked 'To be written by the team'.");
        return profile;
    }

    /// <summary>
    /// Writes the model's data (in the repository's form), its params (<paramref name="paramsText"/> with the gate
    /// thresholds set for the data), its card and its example request; returns the thresholds.
    /// </summary>
    public static IReadOnlyDictionary<string, double> WriteModelFiles(ImportedModel model, Paths paths, string paramsText)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(paths);
        var profile = model.Profile;
        var gate = Gate(profile);
        var parameters = GateParams(paramsText, gate, profile, paths.Params);
        foreach (var path in new[] { paths.Data, paths.Params, paths.Card, paths.Example })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }

        File.WriteAllText(paths.Data, DataCsv(profile));
        File.WriteAllText(paths.Params, parameters);
        File.WriteAllText(paths.Example, Example(model));
        File.WriteAllText(paths.Card, Card(model, gate));
        return gate;
    }

    /// <summary>Prints the inferred schema: the task, the label and each feature with its kind and accepted values.</summary>
    public static void PrintSchema(string name, DataProfile profile, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(output);
        var label = profile.Label;
        output.WriteLine($"Model {name} from {profile.Csv.Source}: {profile.Rows.Count} rows, {profile.Features.Count} features, delimiter '{(profile.Csv.Delimiter == '\t' ? "tab" : profile.Csv.Delimiter.ToString())}'.");
        if (profile.DroppedLines.Count > 0)
        {
            output.WriteLine($"  {profile.DroppedLines.Count} row(s) with an empty cell are left out (lines {string.Join(", ", profile.DroppedLines.Take(10))}{(profile.DroppedLines.Count > 10 ? ", ..." : string.Empty)}).");
        }

        output.WriteLine($"  task: {label.Task.ToText()}{(label.Inferred ? " (inferred from the label; set TASK= to choose)" : string.Empty)}");
        output.WriteLine(label.Task switch
        {
            ModelTask.Binary => $"  label: {label.Column} -> {label.Name}: '{label.Positive}' is true ({label.Counts[label.Positive!]} rows), '{label.Classes[1]}' is false ({label.Counts[label.Classes[1]]} rows)",
            ModelTask.Multiclass => $"  label: {label.Column} -> {label.Name}: {string.Join(", ", label.Classes.Select(c => $"{c} ({label.Counts[c]})"))}",
            _ => $"  label: {label.Column} -> {label.Name}: a number",
        });
        foreach (var feature in profile.Features)
        {
            output.WriteLine($"  feature {feature.Name,-24} {Describe(feature)}");
        }
    }

    /// <summary>The gate thresholds for the data: the task's primary metric and baseline gain, from the baseline measured on it.</summary>
    public static IReadOnlyDictionary<string, double> Gate(DataProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var kind = profile.Label.Task.Kind();
        var keys = kind.GateKeys;
        return profile.Label.Task switch
        {
            // AUC 0.5 is chance whatever the balance of the classes.
            ModelTask.Binary => new Dictionary<string, double> { [keys[0]] = 0.5 + GateMargin, [keys[1]] = 0 },
            ModelTask.Multiclass => new Dictionary<string, double> { [keys[0]] = Math.Round(MajorityMacroF1(profile) + GateMargin, 2, MidpointRounding.ToPositiveInfinity), [keys[1]] = 0 },
            // R² 0 is the training mean; the RMSE must be a few percent below the mean's.
            _ => new Dictionary<string, double> { [keys[0]] = RegressionMinR2, [keys[1]] = RegressionMinRmseGain },
        };
    }

    /// <summary>The macro-F1 of always predicting the most frequent class: its F1 over the number of classes (the others score 0).</summary>
    public static double MajorityMacroF1(DataProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var counts = profile.Label.Counts;
        var share = (double)counts.Values.Max() / counts.Values.Sum();
        return 2 * share / (1 + share) / counts.Count;
    }

    private static string Describe(ColumnProfile feature) => feature.Kind switch
    {
        FeatureKind.Categorical => $"category of {feature.Categories.Count}: {string.Join(", ", feature.Categories.Take(8))}{(feature.Categories.Count > 8 ? ", ..." : string.Empty)}"
            + (feature.Coded ? " (numbers used as codes)" : string.Empty),
        FeatureKind.WholeNumber => $"whole number, seen {Number(feature.Observed.Min)} to {Number(feature.Observed.Max)}, accepted {Number(feature.Range.Min)} to {Number(feature.Range.Max)}",
        _ => $"number, seen {Number(feature.Observed.Min)} to {Number(feature.Observed.Max)}, accepted {Number(feature.Range.Min)} to {Number(feature.Range.Max)}",
    };

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string NamespaceOf(string codePath)
    {
        if (!File.Exists(codePath))
        {
            throw new TrainingException($"{codePath} does not exist: make add-model renders it from the template before the import writes it.");
        }

        var line = File.ReadLines(codePath).FirstOrDefault(l => l.StartsWith("namespace ", StringComparison.Ordinal))
            ?? throw new TrainingException($"{codePath} declares no namespace.");
        return line["namespace ".Length..].TrimEnd(';', ' ');
    }

    /// <summary>The data as the repository keeps it: comma-separated, the feature and label names as header, binary labels as true/false.</summary>
    private static string DataCsv(DataProfile profile)
    {
        var text = new StringBuilder();
        var columns = profile.Features.Select(f => profile.Csv.IndexOf(f.Column)).Append(profile.Csv.IndexOf(profile.Label.Column)).ToArray();
        text.AppendJoin(',', profile.Features.Select(f => f.Name).Append(profile.Label.Name)).Append('\n');
        foreach (var row in profile.Rows)
        {
            text.AppendJoin(',', columns.Select((c, i) => CsvFile.Quote(i == columns.Length - 1 ? LabelText(profile.Label, row.Cells[c].Trim()) : profile.Features[i].Normalize(row.Cells[c])))).Append('\n');
        }

        return text.ToString();
    }

    private static string LabelText(LabelProfile label, string value) =>
        label.Task == ModelTask.Binary ? (value == label.Positive ? "true" : "false") : value;

    private static string GateParams(string text, IReadOnlyDictionary<string, double> gate, DataProfile profile, string path)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        foreach (var (key, value) in gate)
        {
            var name = key["quality_gate.".Length..];
            var index = lines.FindIndex(l => l.TrimStart().StartsWith(name + ":", StringComparison.Ordinal));
            if (index < 0)
            {
                throw new TrainingException($"{path} has no '{name}' under quality_gate to set.");
            }

            lines[index] = lines[index][..(lines[index].IndexOf(name, StringComparison.Ordinal) + name.Length + 1)] + " " + Number(value);
        }

        var header = lines.FindIndex(l => !l.StartsWith('#'));
        lines.Insert(header, $"# Gate thresholds set by make add-model from {Path.GetFileName(profile.Csv.Source)}: {BaselineNote(profile)}.");
        return string.Join('\n', lines);
    }

    private static string BaselineNote(DataProfile profile)
    {
        var counts = profile.Label.Counts;
        return profile.Label.Task switch
        {
            ModelTask.Regression => $"R² 0 and the RMSE of always predicting the training mean are the baseline; the gate asks R² {Number(RegressionMinR2)} and an RMSE {RegressionMinRmseGain * 100:0}% lower",
            ModelTask.Multiclass => string.Create(CultureInfo.InvariantCulture, $"always predicting the most frequent class scores macro-F1 {MajorityMacroF1(profile):0.###}, the gate asks {GateMargin} more"),
            _ => string.Create(CultureInfo.InvariantCulture, $"AUC 0.5 is chance, the majority class is {(double)counts.Values.Max() / counts.Values.Sum():P1} of the rows"),
        };
    }

    /// <summary>The model's definition as C#: the class <c>make add-model</c> writes into the model project.</summary>
    /// <param name="model">The model defined from the data.</param>
    /// <param name="ns">The namespace of the model project's models.</param>
    /// <param name="binding">For a model file trained elsewhere: its kind's base class and binding members; null for a model trained here.</param>
    public static string ModelCode(ImportedModel model, string ns, ImportBinding? binding = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var type = TypeName(model.Name);
        var source = Path.GetFileName(model.Profile.Csv.Source);
        var code = new StringBuilder();
        void Line(string line = "") => code.Append(line).Append('\n');

        if (binding is not null)
        {
            Line($"using {binding.Namespace};");
            Line();
        }

        Line($"namespace {ns};");
        Line();
        Line($"/// <summary>The {model.Name} model ({model.Task.ToText()}): predicts {Xml(model.Label.Name)}, made by make add-model from {Xml(source)}.</summary>");
        Line($"public sealed class {type} : {binding?.BaseType ?? nameof(ModelDefinition)}");
        Line("{");
        foreach (var member in binding?.Members ?? [])
        {
            Line(member);
        }

        if (binding is not null)
        {
            Line();
        }

        Line($"    public override string Name => {Literal(model.Name)};");
        Line();
        Line($"    public override ModelTask Task => ModelTask.{model.Task};");
        Line();
        Line($"    public override string Description => {Literal(model.Description)};");
        Line();
        Line("    public override IReadOnlyList<FeatureColumn> Features { get; } =");
        Line("    [");
        foreach (var feature in model.Features)
        {
            var description = Literal(feature.Description);
            Line(feature switch
            {
                CategoricalFeature c => $"        new CategoricalFeature({Literal(c.Name)}, [{string.Join(", ", c.Allowed.Select(Literal))}]) {{ Description = {description} }},",
                NumericFeature n => $"        new NumericFeature({Literal(n.Name)}, Min: {Number(n.Min)}, Max: {Number(n.Max)}, WholeNumber: {(n.WholeNumber ? "true" : "false")}) {{ Description = {description} }},",
                _ => throw new InvalidOperationException($"No C# for feature {feature.Name}."),
            });
        }

        Line("    ];");
        Line();
        Line(model.Task switch
        {
            ModelTask.Binary => $"    public override LabelColumn Label {{ get; }} = LabelColumn.Binary({Literal(model.Label.Name)});",
            ModelTask.Multiclass => $"    public override LabelColumn Label {{ get; }} = LabelColumn.Multiclass({Literal(model.Label.Name)}, [{string.Join(", ", model.Label.Classes.Select(Literal))}]);",
            _ => $"    public override LabelColumn Label {{ get; }} = LabelColumn.Regression({Literal(model.Label.Name)});",
        });
        Line();
        Line($"    // The canary is the first row of {source} that has every value (line {model.Profile.Rows[0].Line}).");
        Line("    public override IReadOnlyDictionary<string, RawValue> Canary { get; } = new Dictionary<string, RawValue>(StringComparer.Ordinal)");
        Line("    {");
        foreach (var (name, value) in model.Canary)
        {
            Line($"        [{Literal(name)}] = RawValue.Of({(value.Kind == RawKind.Number ? Number(value.Number) : Literal(value.Text!))}),");
        }

        Line("    };");
        Line("}");
        return code.ToString();
    }

    private static string TestsCode(string name, string ns)
    {
        var type = TypeName(name);
        return $$"""
            namespace {{ns}};

            /// <summary>The {{name}} model: the testing kit's checks of every model, on its own data. Add facts of your own below.</summary>
            public class {{type}}Tests : ModelTests<{{type}}>;

            """.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>The example request: the first two kept rows.</summary>
    private static string Example(ImportedModel model)
    {
        var profile = model.Profile;
        var instances = profile.Rows.Take(2).Select(row => profile.Features.ToDictionary(
            f => f.Name,
            f => ImportedModel.Value(f, row.Cells[profile.Csv.IndexOf(f.Column)]) is { Kind: RawKind.Number } number ? (object)number.Number : f.Normalize(row.Cells[profile.Csv.IndexOf(f.Column)])));
        return JsonSerializer.Serialize(new { instances }, s_indented) + "\n";
    }

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private static string Card(ImportedModel model, IReadOnlyDictionary<string, double> gate)
    {
        var name = model.Name;
        var profile = model.Profile;
        var label = profile.Label;
        var dataFile = Path.GetFileName(profile.Csv.Source);
        const string Todo = "To be written by the team: ";
        var card = new StringBuilder();
        void Line(string line = "") => card.Append(line).Append('\n');

        Line($"# Model card: {name}");
        Line();
        Line($"Made by `make add-model` from `{dataFile}`: the facts below come from the data; the sections marked");
        Line("'To be written by the team' need a person. The last section is generated from the served model.");
        Line();
        Line("## Intended use");
        Line();
        Line($"{Todo}who calls `POST /v1/models/{name}:predict` (example: [docs/examples/{name}.json](../examples/{name}.json)), for what decision, and who checks it.");
        Line();
        Line("## Out-of-scope use");
        Line();
        Line($"{Todo}the uses this model must not have. Inputs outside the accepted values below are refused with 400.");
        Line();
        Line("## Data");
        Line();
        Line($"- Source: `{dataFile}` ({profile.Csv.Rows.Count} rows), kept as `data/{name}.csv` ({profile.Rows.Count} rows{(profile.DroppedLines.Count > 0 ? $"; {profile.DroppedLines.Count} with an empty cell left out" : string.Empty)}).");
        Line(label.Task switch
        {
            ModelTask.Binary => $"- Label `{label.Name}` (column `{label.Column}`): `{label.Positive}` is true ({label.Counts[label.Positive!]} rows), `{label.Classes[1]}` is false ({label.Counts[label.Classes[1]]} rows).",
            ModelTask.Multiclass => $"- Label `{label.Name}` (column `{label.Column}`): {string.Join(", ", label.Classes.Select(c => $"`{c}` ({label.Counts[c]})"))}.",
            _ => $"- Label `{label.Name}` (column `{label.Column}`): a number.",
        });
        Line($"- {Todo}where the data comes from, its period, its licence, and who it leaves out.");
        Line();
        Line("## Features");
        Line();
        Line("| Feature | Column | Type | Accepted values |");
        Line("| --- | --- | --- | --- |");
        foreach (var feature in profile.Features)
        {
            Line($"| `{feature.Name}` | `{feature.Column}` | {(feature.Kind == FeatureKind.Categorical ? "category" : feature.Kind == FeatureKind.WholeNumber ? "whole number" : "number")} | "
                + (feature.Kind == FeatureKind.Categorical ? string.Join(", ", feature.Categories.Select(c => $"`{c}`")) : $"{Number(feature.Range.Min)} to {Number(feature.Range.Max)} (seen {Number(feature.Observed.Min)} to {Number(feature.Observed.Max)})") + " |");
        }

        Line();
        Line("## Training");
        Line();
        Line($"- Parameters, seed, split and gate thresholds: `params/{name}.yaml`; `make train MODEL={name}` trains, gates and registers.");
        Line();
        Line("## Metrics");
        Line();
        var kind = label.Task.Kind();
        Line("Measured on the held-out split by `make train` and gated with the thresholds of `params/" + name + ".yaml`:");
        Line();
        Line("| Metric | Role |");
        Line("| --- | --- |");
        Line($"| `{kind.PrimaryMetric}` | The primary metric: at least {Number(gate[kind.GateKeys[0]])}. |");
        Line($"| `{kind.SecondaryMetric}` | Compared with the {kind.BaselineStrategy} baseline (`{kind.BaselineMetric}`): {Number(gate[kind.GateKeys[1]])} better at least. |");
        Line();
        Line($"Why these thresholds: {BaselineNote(profile)}.");
        Line();
        Line("## Limitations");
        Line();
        Line($"{Todo}where the model is known to be wrong or untested.");
        Line();
        Line("## Ethical considerations");
        Line();
        Line($"{Todo}who could be harmed by a wrong prediction, and which features could stand in for protected attributes.");
        Line();
        Line("## How to update");
        Line();
        Line($"Replace `data/{name}.csv` (same columns), run `make train MODEL={name}` and `make test`, and update this card.");
        Line();
        Line("## The served model");
        Line();
        Line(ModelCard.BeginMarker);
        Line($"Not trained yet: run `make train MODEL={name}`, then `make model-card MODEL={name}`.");
        Line(ModelCard.EndMarker);
        return card.ToString();
    }

    /// <summary>The C# class of model <paramref name="name"/>: <c>fraud</c> is <c>FraudModel</c>.</summary>
    public static string TypeName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return char.ToUpperInvariant(name[0]) + name[1..] + "Model";
    }

    private static string Xml(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A C# string literal.</summary>
    private static string Literal(string text)
    {
        var literal = new StringBuilder("\"");
        foreach (var c in text)
        {
            literal.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return literal.Append('"').ToString();
    }
}
