using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MlOps.Platform;

/// <summary>
/// Everything that makes one model of this repository: its name and task, the input features with their
/// ranges or categories, the label, and a canary instance. Training data and prediction requests are
/// validated against this one definition, and the feature pipeline is built from it, so training and
/// serving share one contract. A subclass in <c>Models/</c> is all it takes to add a model: the
/// <see cref="ModelCatalog"/> finds it.
/// </summary>
public abstract partial class ModelDefinition
{
    /// <summary>What a model name looks like: one lowercase word of 2 to 30 letters and digits.</summary>
    public const string NamePattern = "^[a-z][a-z0-9]{1,29}$";

    /// <summary>The class name a multiclass model predicts (the predicted key mapped back to its text).</summary>
    public const string PredictedClassColumn = "PredictedClass";

    private const string CategoriesEncoded = "categories_encoded";

    private readonly Lazy<Layout> _layout;

    /// <summary>Creates the definition; the feature layout is worked out from <see cref="Features"/> on first use.</summary>
    protected ModelDefinition()
    {
        _layout = new Lazy<Layout>(() => new Layout(Features, DerivedFeatures));
    }

    /// <summary>The model's name: in URLs, metrics, file names (<c>fraud</c>).</summary>
    public abstract string Name { get; }

    /// <summary>What the model predicts: a binary outcome, a class or a number.</summary>
    public abstract ModelTask Task { get; }

    /// <summary>One sentence: what is predicted, for whom.</summary>
    public abstract string Description { get; }

    /// <summary>The input features, in a fixed order.</summary>
    public abstract IReadOnlyList<FeatureColumn> Features { get; }

    /// <summary>
    /// Features computed from the inputs (ratios, products, logarithms, buckets, small functions), which callers
    /// never send: <see cref="Validate"/> computes them for training rows and requests alike. None by default.
    /// </summary>
    public virtual IReadOnlyList<DerivedFeature> DerivedFeatures => [];

    /// <summary>
    /// How the model is made, stored and scored: an ML.NET pipeline that <c>make train</c> fits (the default), or a
    /// model trained elsewhere and imported (an ONNX graph: <c>OnnxModelDefinition</c> of MlOps.Platform.Onnx).
    /// </summary>
    public virtual ModelKind Kind => MlNetKind.Instance;

    /// <summary>The column of the training CSV the model learns to predict.</summary>
    public abstract LabelColumn Label { get; }

    /// <summary>A typical instance, scored before a loaded model may serve; it must validate.</summary>
    public abstract IReadOnlyDictionary<string, RawValue> Canary { get; }

    /// <summary>
    /// The model's own quality rules, checked after its task's gate on the metrics of the held-out split (for
    /// example a minimum F1 of one class, from <c>f1_&lt;class&gt;</c>): why the model fails them, empty when it
    /// passes. A model that fails is refused like one that fails the gate: not registered, not served.
    /// </summary>
    public virtual IEnumerable<string> QualityRules(IReadOnlyDictionary<string, double> metrics) => [];

    /// <summary>The numeric input features, in the order of <see cref="FeatureRow.Numbers"/> (the derived features follow them).</summary>
    public IReadOnlyList<NumericFeature> NumericFeatures => _layout.Value.Numeric;

    /// <summary>The categorical features, in the order of <see cref="FeatureRow.Categories"/>.</summary>
    public IReadOnlyList<CategoricalFeature> CategoricalFeatures => _layout.Value.Categorical;

    /// <summary>The training data, relative to the repository root: <c>data/&lt;name&gt;.csv</c>.</summary>
    public string DataPath => $"data/{Name}.csv";

    /// <summary>The training parameters, relative to the repository root: <c>params/&lt;name&gt;.yaml</c>.</summary>
    public string ParamsPath => $"params/{Name}.yaml";

    /// <summary>The model card, relative to the repository root: <c>docs/models/&lt;name&gt;.md</c>.</summary>
    public string ModelCardPath => $"docs/models/{Name}.md";

    /// <summary>
    /// The committed record of the model the team chose to serve (make promote, make rollback), which training
    /// in CI compares every new model with: <c>champions/&lt;name&gt;.json</c>.
    /// </summary>
    public string ChampionPath => $"champions/{Name}.json";

    /// <summary>An example predict request, relative to the repository root: <c>docs/examples/&lt;name&gt;.json</c>.</summary>
    public string ExamplePath => $"docs/examples/{Name}.json";

    /// <summary>The vector sizes of <see cref="FeatureRow"/> for this model (prediction engines and data views).</summary>
    public SchemaDefinition InputSchema => _layout.Value.InputSchema();

    /// <summary>
    /// The columns of a <see cref="LabeledRow"/> for this model: the features, and the label member of its
    /// task as <see cref="FeatureRow.LabelColumn"/> (bool, text or float).
    /// </summary>
    public SchemaDefinition TrainingSchema
    {
        get
        {
            var schema = _layout.Value.Sized(SchemaDefinition.Create(typeof(LabeledRow)));
            var label = Task switch
            {
                ModelTask.Binary => nameof(LabeledRow.Flag),
                ModelTask.Multiclass => nameof(LabeledRow.Class),
                _ => nameof(LabeledRow.Value),
            };
            schema.RemoveAll(c => c.MemberName is nameof(LabeledRow.Flag) or nameof(LabeledRow.Class) or nameof(LabeledRow.Value)
                && c.MemberName != label);
            schema.Single(c => c.MemberName == label).ColumnName = FeatureRow.LabelColumn;
            return schema;
        }
    }

    /// <summary>The folder of this model's artifacts under <paramref name="modelsRoot"/>: <c>&lt;root&gt;/&lt;name&gt;</c>.</summary>
    public string ArtifactsFolder(string modelsRoot)
    {
        ArgumentNullException.ThrowIfNull(modelsRoot);
        return Path.Combine(modelsRoot, Name);
    }

    /// <summary>The served model file under <paramref name="modelsRoot"/>: <c>&lt;root&gt;/&lt;name&gt;/model.zip</c>.</summary>
    public string ModelPath(string modelsRoot) => Path.Combine(ArtifactsFolder(modelsRoot), TrainedModel.FileName);

    /// <summary>An empty row with the vector sizes of this model.</summary>
    public FeatureRow NewRow() => _layout.Value.Fill(new FeatureRow());

    /// <summary>
    /// Checks one record against the features. Returns the row when the record is valid; otherwise null
    /// and one error per bad field (missing, wrong type, out of range, unknown category or field).
    /// </summary>
    public FeatureRow? Validate(IReadOnlyDictionary<string, RawValue> record, ICollection<FeatureError> errors) =>
        Validate(new FeatureRow(), record, errors, labelAllowed: false);

    /// <summary>
    /// Checks one record of training data: the features as <see cref="Validate"/> does, plus the label
    /// column (<see cref="LabelColumn.Name"/>), which must be present and valid for the task.
    /// </summary>
    public LabeledRow? ValidateExample(IReadOnlyDictionary<string, RawValue> record, ICollection<FeatureError> errors)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(errors);
        var before = errors.Count;
        var row = Validate(new LabeledRow(), record, errors, labelAllowed: true);
        var label = record.TryGetValue(Label.Name, out var raw) ? raw : RawValue.Missing;
        if (ReadLabel(label, row) is { } error)
        {
            errors.Add(new FeatureError(Label.Name, error));
        }

        return errors.Count == before ? row : null;
    }

    /// <summary>Why <paramref name="value"/> is not a valid label of this model (<c>must be true or false, got 'x'</c>); null when it is one.</summary>
    public string? LabelError(RawValue value) => ReadLabel(value, null);

    /// <summary>The label of a training row as text (<c>true</c>, <c>premium</c>, <c>12.5</c>).</summary>
    public string LabelText(LabeledRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Task switch
        {
            ModelTask.Binary => row.Flag ? "true" : "false",
            ModelTask.Multiclass => row.Class,
            _ => row.Value.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The value of a numeric feature, as the decimal it was written as (no float noise such as 70.3499984).</summary>
    public double Numeric(FeatureRow row, string feature)
    {
        ArgumentNullException.ThrowIfNull(row);
        var slot = _layout.Value.NumericSlot(feature);
        return double.Parse(row.Numbers[slot].ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>The value of a categorical feature.</summary>
    public string Categorical(FeatureRow row, string feature)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Categories[_layout.Value.CategoricalSlot(feature)];
    }

    /// <summary>
    /// The feature transformations of this model: one-hot encoding of the categories, every feature
    /// concatenated into <see cref="FeatureRow.FeaturesColumn"/>, min-max normalized. Training appends a
    /// trainer and saves the fitted whole, so serving replays exactly the same transformations.
    /// </summary>
    public IEstimator<ITransformer> BuildFeaturePipeline(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var layout = _layout.Value;
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        var inputs = new List<string>();
        if (layout.Numeric.Count + layout.Derived.Count > 0)
        {
            inputs.Add(FeatureRow.NumbersColumn);
        }

        if (layout.Categorical.Count > 0)
        {
            // One dictionary of every allowed category, in definition order, so the encoding does not
            // depend on which categories the training split happens to contain.
            var keys = ml.Data.LoadFromEnumerable(
                layout.Categorical.SelectMany(c => c.Allowed).Distinct(StringComparer.Ordinal).Select(k => new KeyRow { Key = k }));
            pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(
                CategoriesEncoded, FeatureRow.CategoriesColumn, OneHotEncodingEstimator.OutputKind.Indicator, keyData: keys));
            inputs.Add(CategoriesEncoded);
        }

        return pipeline
            .Append(ml.Transforms.Concatenate(FeatureRow.FeaturesColumn, [.. inputs]))
            .Append(ml.Transforms.NormalizeMinMax(FeatureRow.FeaturesColumn));
    }

    /// <summary>
    /// The pipeline training fits: the features, then <paramref name="trainer"/>. A multiclass model's trainer
    /// learns from key labels (see <see cref="LabelsAsKeys"/>); its pipeline ends by mapping the predicted key
    /// back to the class name in <see cref="PredictedClassColumn"/>, which <see cref="MulticlassPrediction"/> reads.
    /// </summary>
    public IEstimator<ITransformer> BuildTrainingPipeline(MLContext ml, IEstimator<ITransformer> trainer)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(trainer);
        var pipeline = BuildFeaturePipeline(ml).Append(trainer);
        return Task == ModelTask.Multiclass
            ? pipeline.Append(ml.Transforms.Conversion.MapKeyToValue(PredictedClassColumn, "PredictedLabel"))
            : pipeline;
    }

    /// <summary>
    /// The data as trainers and evaluators read it: a multiclass label becomes a key, numbered in the order of
    /// <see cref="LabelColumn.Classes"/> (so the predicted probabilities follow that order); the other tasks'
    /// data is returned unchanged. Not part of the saved model: serving has no label.
    /// </summary>
    public IDataView LabelsAsKeys(MLContext ml, IDataView data)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(data);
        if (Task != ModelTask.Multiclass)
        {
            return data;
        }

        var classes = ml.Data.LoadFromEnumerable(Label.Classes.Select(c => new KeyRow { Key = c }));
        return ml.Transforms.Conversion.MapValueToKey(FeatureRow.LabelColumn, FeatureRow.LabelColumn, keyData: classes)
            .Fit(data)
            .Transform(data);
    }

    /// <summary>Fits <see cref="BuildTrainingPipeline"/> on <paramref name="trainSet"/> (rows of <see cref="ToDataView"/>).</summary>
    public ITransformer Fit(MLContext ml, IDataView trainSet, IEstimator<ITransformer> trainer) =>
        BuildTrainingPipeline(ml, trainer).Fit(LabelsAsKeys(ml, trainSet));

    /// <summary>Training rows as a data view with this model's <see cref="TrainingSchema"/>.</summary>
    public IDataView ToDataView(MLContext ml, IEnumerable<LabeledRow> rows)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return ml.Data.LoadFromEnumerable(rows, TrainingSchema);
    }

    /// <summary>Training rows read back from a data view (after a split, for instance).</summary>
    public IReadOnlyList<LabeledRow> FromDataView(MLContext ml, IDataView data)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return ml.Data.CreateEnumerable<LabeledRow>(data, reuseRowObject: false, schemaDefinition: TrainingSchema).ToList();
    }

    /// <summary>
    /// Checks that the definition is usable: a valid name, unique feature names, categories and classes,
    /// a label that is no feature, and a canary that validates. Throws with every problem found.
    /// </summary>
    /// <exception cref="InvalidOperationException">The definition is not consistent.</exception>
    public void CheckConsistency()
    {
        var problems = new List<string>();
        var type = GetType().Name;
        if (!NameRegex().IsMatch(Name ?? string.Empty))
        {
            problems.Add($"name '{Name}' does not match {NamePattern}");
        }

        if (Features.Count == 0)
        {
            problems.Add("it has no features");
        }

        problems.AddRange(Features.GroupBy(f => f.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"feature '{g.Key}' is defined {g.Count()} times"));
        problems.AddRange(Features.OfType<NumericFeature>().Where(f => !(f.Min <= f.Max))
            .Select(f => $"feature '{f.Name}' has Min above Max"));
        problems.AddRange(Features.OfType<CategoricalFeature>()
            .Where(f => f.Allowed.Count == 0 || f.Allowed.Distinct(StringComparer.Ordinal).Count() != f.Allowed.Count)
            .Select(f => $"feature '{f.Name}' needs distinct categories"));
        var inputs = Features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var derived in DerivedFeatures)
        {
            if (inputs.Contains(derived.Name) || derived.Name == Label.Name)
            {
                problems.Add($"derived feature '{derived.Name}' has the name of an input feature or of the label");
            }

            problems.AddRange(derived.Inputs.Where(input => !inputs.Contains(input))
                .Select(input => $"derived feature '{derived.Name}' reads '{input}', which is no input feature"));
        }

        problems.AddRange(DerivedFeatures.GroupBy(f => f.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"derived feature '{g.Key}' is defined {g.Count()} times"));
        if (Features.Any(f => f.Name == Label.Name))
        {
            problems.Add($"the label '{Label.Name}' is also a feature");
        }

        if (Task == ModelTask.Multiclass && (Label.Classes.Count < 2 || Label.Classes.Distinct(StringComparer.Ordinal).Count() != Label.Classes.Count))
        {
            problems.Add("a multiclass label needs at least two distinct classes");
        }

        if (Task != ModelTask.Multiclass && Label.Classes.Count > 0)
        {
            problems.Add($"a {Task.ToText()} label has no classes");
        }

        if (problems.Count == 0)
        {
            var errors = new List<FeatureError>();
            if (Validate(Canary, errors) is null)
            {
                problems.Add("the canary is not valid: " + string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}")));
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Model definition {type} is not valid: {string.Join("; ", problems)}.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Task.ToText()})";

    private T? Validate<T>(T row, IReadOnlyDictionary<string, RawValue> record, ICollection<FeatureError> errors, bool labelAllowed)
        where T : FeatureRow
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(errors);
        var layout = _layout.Value;
        layout.Fill(row);
        var before = errors.Count;
        foreach (var column in Features)
        {
            var value = record.TryGetValue(column.Name, out var raw) ? raw : RawValue.Missing;
            string? error;
            if (value.Kind == RawKind.Missing)
            {
                error = "is required";
            }
            else if (column is NumericFeature numeric)
            {
                error = numeric.Read(value, out var number);
                row.Numbers[layout.NumericSlot(column.Name)] = number;
            }
            else
            {
                error = ((CategoricalFeature)column).Read(value, out var category);
                row.Categories[layout.CategoricalSlot(column.Name)] = category;
            }

            if (error is not null)
            {
                errors.Add(new FeatureError(column.Name, error));
            }
        }

        foreach (var name in record.Keys.Where(name => !layout.IsFeature(name) && !(labelAllowed && name == Label.Name)))
        {
            errors.Add(new FeatureError(name, "is not a feature of this model"));
        }

        if (errors.Count == before && layout.Derived.Count > 0)
        {
            Derive(row, errors);
        }

        return errors.Count == before ? row : null;
    }

    // The derived features of a row whose inputs are valid, into the slots after the numeric inputs.
    private void Derive(FeatureRow row, ICollection<FeatureError> errors)
    {
        var layout = _layout.Value;
        var values = new RowValues(this, row);
        for (var i = 0; i < layout.Derived.Count; i++)
        {
            var derived = layout.Derived[i];
            var value = derived.Compute(values);
            if (!double.IsFinite(value) || Math.Abs(value) > float.MaxValue)
            {
                errors.Add(new FeatureError(derived.Name, $"(derived: {derived.Formula}) is not a finite number for these inputs"));
                continue;
            }

            row.Numbers[layout.Numeric.Count + i] = (float)value;
        }
    }

    private string? ReadLabel(RawValue value, LabeledRow? row)
    {
        if (value.Kind == RawKind.Missing)
        {
            return "is required";
        }

        switch (Task)
        {
            case ModelTask.Binary:
                if (value.Kind != RawKind.Text || value.Text is not ("true" or "false"))
                {
                    return $"must be true or false, got '{value.Text}'";
                }

                row?.Flag = value.Text == "true";
                return null;
            case ModelTask.Multiclass:
                if (value.Kind != RawKind.Text || !Label.Classes.Contains(value.Text, StringComparer.Ordinal))
                {
                    return $"must be one of {string.Join(", ", Label.Classes)}, got '{value.Text}'";
                }

                row?.Class = value.Text!;
                return null;
            default:
                if (value.Kind != RawKind.Number || !double.IsFinite(value.Number))
                {
                    return $"must be a number, got '{value.Text}'";
                }

                if (value.Number < (Label.Min ?? double.NegativeInfinity) || value.Number > (Label.Max ?? double.PositiveInfinity))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"must be between {Label.Min?.ToString(CultureInfo.InvariantCulture) ?? "-inf"} and {Label.Max?.ToString(CultureInfo.InvariantCulture) ?? "inf"}, got {value.Number}");
                }

                row?.Value = (float)value.Number;
                return null;
        }
    }

    [GeneratedRegex(NamePattern)]
    private static partial Regex NameRegex();

    private sealed class RowValues(ModelDefinition model, FeatureRow row) : IFeatureValues
    {
        public double Number(string feature) => model.Numeric(row, feature);

        public string Category(string feature) => model.Categorical(row, feature);
    }

    private sealed class KeyRow
    {
        public string Key { get; set; } = string.Empty;
    }

    /// <summary>Where each feature sits in <see cref="FeatureRow"/>.</summary>
    private sealed class Layout
    {
        private readonly Dictionary<string, int> _numericSlots;
        private readonly Dictionary<string, int> _categoricalSlots;

        public Layout(IReadOnlyList<FeatureColumn> features, IReadOnlyList<DerivedFeature> derived)
        {
            Numeric = [.. features.OfType<NumericFeature>()];
            Derived = derived;
            Categorical = [.. features.OfType<CategoricalFeature>()];
            _numericSlots = Numeric.Select((f, i) => (f.Name, i)).DistinctBy(p => p.Name).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
            _categoricalSlots = Categorical.Select((f, i) => (f.Name, i)).DistinctBy(p => p.Name).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        }

        public IReadOnlyList<NumericFeature> Numeric { get; }

        public IReadOnlyList<CategoricalFeature> Categorical { get; }

        public IReadOnlyList<DerivedFeature> Derived { get; }

        public bool IsFeature(string name) => _numericSlots.ContainsKey(name) || _categoricalSlots.ContainsKey(name);

        public int NumericSlot(string feature) =>
            _numericSlots.TryGetValue(feature, out var slot) ? slot : throw new ArgumentException($"'{feature}' is not a numeric feature.", nameof(feature));

        public int CategoricalSlot(string feature) =>
            _categoricalSlots.TryGetValue(feature, out var slot) ? slot : throw new ArgumentException($"'{feature}' is not a categorical feature.", nameof(feature));

        public T Fill<T>(T row)
            where T : FeatureRow
        {
            row.Numbers = new float[Numeric.Count + Derived.Count];
            row.Categories = Enumerable.Repeat(string.Empty, Categorical.Count).ToArray();
            return row;
        }

        public SchemaDefinition InputSchema() => Sized(SchemaDefinition.Create(typeof(FeatureRow)));

        public SchemaDefinition Sized(SchemaDefinition schema)
        {
            schema[FeatureRow.NumbersColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Numeric.Count + Derived.Count);
            schema[FeatureRow.CategoriesColumn].ColumnType = new VectorDataViewType(TextDataViewType.Instance, Categorical.Count);
            return schema;
        }
    }
}
