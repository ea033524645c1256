using Microsoft.ML;

namespace MlOps.Platform.Training;

/// <summary>A model's data split for training and evaluation, with the number of rows on each side.</summary>
public sealed record DataSplit(IDataView TrainSet, IDataView TestSet, int TrainRows, int TestRows);

/// <summary>The outcome of one training run (or of the evaluation of an imported model), before anything is written to disk.</summary>
/// <param name="Save">Writes the model's <c>model.zip</c> to the path it is given.</param>
/// <param name="Metrics">The task's metrics on the held-out rows (all rows of an imported model's evaluation data).</param>
/// <param name="FeatureReference">The distribution of each feature in the rows the model learnt from, for drift.</param>
/// <param name="Import">The packaged source file of a model made elsewhere; null for a model trained here.</param>
public sealed record TrainingResult(
    Action<string> Save,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, FeatureReference> FeatureReference,
    PackagedModel? Import = null);

/// <summary>
/// Fits a model's feature pipeline and trainer on a seeded split of its data and evaluates it on the
/// held-out rows with the metrics of its task.
/// </summary>
public static class ModelTrainer
{
    /// <summary>Data with fewer rows than this is also cross-validated (<see cref="CrossValidate"/>): one held-out split of it is a small sample.</summary>
    public const int SmallDataRows = 1000;

    /// <summary>The number of folds of <see cref="CrossValidate"/>.</summary>
    public const int Folds = 5;

    /// <summary>Splits <paramref name="rows"/> as <see cref="Split"/> does, fits the model's pipeline and trainer on the training part, evaluates it on the held-out part and records the feature distributions of the training part.</summary>
    public static TrainingResult Train(ModelDefinition model, IReadOnlyList<LabeledRow> rows, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        var ml = new MLContext(parameters.Seed);
        var split = Split(ml, model, rows, parameters);
        var fitted = model.Fit(ml, split.TrainSet, TrainerFactory.Create(ml, model.Task, parameters));
        var trainingRows = model.FromDataView(ml, split.TrainSet);
        return new TrainingResult(
            path => ml.Model.Save(fitted, split.TestSet.Schema, path),
            Evaluate(ml, model, fitted, split.TestSet, trainingRows),
            MlOps.Platform.FeatureReference.FromRows(model, [.. trainingRows]));
    }

    /// <summary>
    /// For a model made elsewhere (<see cref="ModelKind.TrainsHere"/> false): packages its source file from the
    /// repository at <paramref name="repositoryRoot"/>, loads it with its canary, and evaluates it on every row of its
    /// evaluation data (it never saw them: nothing is held out, and the regression baseline is their mean).
    /// </summary>
    /// <exception cref="TrainingException">The source file is missing or cannot be loaded or scored.</exception>
    public static TrainingResult Import(ModelDefinition model, IReadOnlyList<LabeledRow> rows, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        try
        {
            var package = model.Kind.Package(model, repositoryRoot);
            using var imported = TrainedModel.FromArchive(model, package.Archive, package.Source);
            return new TrainingResult(
                path => File.WriteAllBytes(path, package.Archive),
                Evaluate(new MLContext(seed: 0), imported, rows, rows),
                MlOps.Platform.FeatureReference.FromRows(model, rows),
                package);
        }
        catch (ModelLoadException ex)
        {
            throw new TrainingException(ex.Message, ex);
        }
    }

    /// <summary>
    /// Trains and evaluates the model <see cref="Folds"/> times, each time holding out another fifth of the rows (each
    /// class spread evenly over the folds, shuffled with the seed), and gives the task's primary metric on each fold.
    /// </summary>
    public static CrossValidation CrossValidate(ModelDefinition model, IReadOnlyList<LabeledRow> rows, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(parameters);
        var metric = model.Task.Kind().PrimaryMetric;
        var fold = new int[rows.Count];
        var random = new Random(parameters.Seed);
        var next = 0;
        foreach (var group in Groups(model, rows))
        {
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(group));
            foreach (var i in group)
            {
                fold[i] = next++ % Folds;
            }
        }

        var values = new List<double>(Folds);
        for (var k = 0; k < Folds; k++)
        {
            var ml = new MLContext(parameters.Seed);
            var train = Enumerable.Range(0, rows.Count).Where(i => fold[i] != k).Select(i => rows[i]).ToList();
            var test = model.ToDataView(ml, [.. Enumerable.Range(0, rows.Count).Where(i => fold[i] == k).Select(i => rows[i])]);
            var fitted = model.Fit(ml, model.ToDataView(ml, train), TrainerFactory.Create(ml, model.Task, parameters));
            values.Add(Evaluate(ml, model, fitted, test, train)[metric]);
        }

        var mean = values.Average();
        return new CrossValidation(Folds, metric, mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)), values);
    }

    /// <summary>
    /// The same seeded split that training uses, so <c>evaluate</c> scores a saved model on exactly the rows
    /// it never saw (<see cref="SplitRows"/>).
    /// </summary>
    public static DataSplit Split(MLContext ml, ModelDefinition model, IReadOnlyList<LabeledRow> rows, TrainingParams parameters)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.TestFraction is <= 0 or >= 1)
        {
            throw new TrainingException($"Parameter 'test_fraction' must be between 0 and 1, got {parameters.TestFraction}.");
        }

        var (train, test) = SplitRows(model, rows, parameters.TestFraction, parameters.Seed);
        return new DataSplit(model.ToDataView(ml, train), model.ToDataView(ml, test), train.Count, test.Count);
    }

    /// <summary>
    /// Holds out <paramref name="fraction"/> of <paramref name="rows"/>, to the row (rounded, at least one row on each
    /// side), shuffled with <paramref name="seed"/> so that a file sorted by class or time is not split by its order. A classifier's rows
    /// are held out class by class, each class in proportion (largest remainders), so a small or sorted dataset still
    /// tests every class it can. The same rows and seed always give the same split.
    /// </summary>
    public static (IReadOnlyList<LabeledRow> Train, IReadOnlyList<LabeledRow> Test) SplitRows(ModelDefinition model, IReadOnlyList<LabeledRow> rows, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count < 2)
        {
            throw new TrainingException($"Training needs at least two rows to hold one out for evaluation; {model.Name} has {rows.Count}.");
        }

        var total = Math.Clamp((int)Math.Round(rows.Count * fraction, MidpointRounding.AwayFromZero), 1, rows.Count - 1);
        var groups = Groups(model, rows);
        var random = new Random(seed);
        foreach (var group in groups)
        {
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(group));
        }

        // Largest remainders: each group's exact share, rounded down, then one more row for the largest fractions.
        var shares = groups.Select(g => g.Count * (double)total / rows.Count).ToArray();
        var counts = shares.Select(s => (int)Math.Floor(s)).ToArray();
        foreach (var i in Enumerable.Range(0, groups.Count).OrderByDescending(i => shares[i] - counts[i]).ThenBy(i => i).Take(total - counts.Sum()))
        {
            counts[i]++;
        }

        var test = groups.SelectMany((g, i) => g.Take(counts[i])).Order().ToHashSet();
        return (
            [.. Enumerable.Range(0, rows.Count).Where(i => !test.Contains(i)).Select(i => rows[i])],
            [.. test.Order().Select(i => rows[i])]);
    }

    /// <summary>Row indexes by class (classifiers, classes in order) or all in one group (regression), in file order.</summary>
    private static List<List<int>> Groups(ModelDefinition model, IReadOnlyList<LabeledRow> rows) =>
        model.Task == ModelTask.Regression
            ? [[.. Enumerable.Range(0, rows.Count)]]
            : [.. Enumerable.Range(0, rows.Count).GroupBy(i => model.LabelText(rows[i]), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToList())];

    /// <summary>
    /// Quality metrics of a loaded model of any kind on <paramref name="testRows"/>, scored through its scorer as serving
    /// scores them, with the baseline of <see cref="Evaluate(MLContext, ModelDefinition, ITransformer, IDataView, IReadOnlyList{LabeledRow})"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(
        MLContext ml, TrainedModel model, IReadOnlyList<LabeledRow> testRows, IReadOnlyList<LabeledRow> trainingRows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(testRows);
        ArgumentNullException.ThrowIfNull(trainingRows);
        var outcomes = model.Score(testRows);
        return TaskMetrics.FromOutcomes(ml, model.Definition, outcomes, testRows, trainingRows.Average(r => (double)r.Value));
    }

    /// <summary>
    /// Quality metrics of <paramref name="transformer"/> on <paramref name="testSet"/> for the model's task,
    /// with the baseline: the majority class of the held-out rows, or the mean label of
    /// <paramref name="trainingRows"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(
        MLContext ml,
        ModelDefinition model,
        ITransformer transformer,
        IDataView testSet,
        IReadOnlyList<LabeledRow> trainingRows)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(trainingRows);
        var scored = transformer.Transform(testSet);
        switch (model.Task)
        {
            case ModelTask.Binary:
                return TaskMetrics.Binary(ml, scored);
            case ModelTask.Multiclass:
                var actual = model.FromDataView(ml, testSet).Select(r => r.Class).ToList();
                var predictions = ml.Data.CreateEnumerable<MulticlassPrediction>(scored, reuseRowObject: false).ToList();
                return TaskMetrics.Multiclass(
                    model.Label.Classes,
                    actual,
                    [.. predictions.Select(p => p.PredictedLabel)],
                    [.. predictions.Select(p => p.Score)]);
            default:
                return TaskMetrics.Regression(ml, scored, trainingRows.Average(r => (double)r.Value));
        }
    }
}
