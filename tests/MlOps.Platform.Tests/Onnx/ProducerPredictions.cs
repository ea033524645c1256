using System.Globalization;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// What a case's producer (PyTorch, scikit-learn) predicted for its eval rows, from expected.csv: per row the label
/// and the probability of each class (<c>p_&lt;class&gt;</c>, in the order of the definition's classes; binary
/// <c>p_0</c>, <c>p_1</c>), or the value of a regression.
/// </summary>
/// <param name="Labels">The predicted label of each row (<c>1</c>, <c>versicolor</c>); empty for a regression.</param>
/// <param name="Values">The probabilities of each row, or its one value.</param>
public sealed record ProducerPredictions(IReadOnlyList<string> Labels, IReadOnlyList<double[]> Values)
{
    /// <summary>How far a probability may be from the producer's (absolute), or a value (relative to max(1, |value|)).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Reads expected.csv of the case folder <paramref name="folder"/>.</summary>
    public static ProducerPredictions Read(string folder)
    {
        var lines = File.ReadAllLines(Path.Combine(folder, "expected.csv")).Where(l => l.Length > 0).ToList();
        var labelled = lines[0].StartsWith("label,", StringComparison.Ordinal);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        return new(
            labelled ? [.. rows.Select(r => r[0])] : [],
            [.. rows.Select(r => r.Skip(labelled ? 1 : 0).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())]);
    }

    /// <summary>The predictions of <paramref name="outcomes"/> in the same form (binary labels <c>1</c> and <c>0</c>).</summary>
    public static ProducerPredictions From(IReadOnlyList<Outcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var rows = outcomes.Select(Read).ToList();
        return new(rows.All(r => r.Label is not null) ? [.. rows.Select(r => r.Label!)] : [], [.. rows.Select(r => r.Values)]);
    }

    /// <summary>
    /// Asserts that <paramref name="outcomes"/> are these predictions: the same label, each probability within
    /// <paramref name="tolerance"/>, each value within <paramref name="tolerance"/> relative to max(1, |value|). Returns
    /// the largest difference (absolute for probabilities, relative for values).
    /// </summary>
    public double ShouldMatch(ModelDefinition definition, IReadOnlyList<Outcome> outcomes, double tolerance = Tolerance)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(outcomes);
        outcomes.Should().HaveCount(Values.Count);
        var largest = 0.0;
        for (var r = 0; r < outcomes.Count; r++)
        {
            var expected = Values[r];
            var (label, actual) = Read(outcomes[r]);
            actual.Should().HaveCount(expected.Length, $"row {r} has a probability per class of {definition}, or one value");
            if (definition.Task != ModelTask.Regression)
            {
                label.Should().Be(Labels[r], $"row {r}'s predicted label is the same");
            }

            for (var i = 0; i < expected.Length; i++)
            {
                var scale = definition.Task == ModelTask.Regression ? Math.Max(1, Math.Abs(expected[i])) : 1;
                var difference = Math.Abs(actual[i] - expected[i]) / scale;
                difference.Should().BeLessThanOrEqualTo(tolerance, $"row {r}, column {i}: {actual[i]} against {expected[i]}");
                largest = Math.Max(largest, difference);
            }
        }

        return largest;
    }

    private static (string? Label, double[] Values) Read(Outcome outcome) => outcome switch
    {
        BinaryOutcome binary => (binary.Label ? "1" : "0", [1 - binary.Probability, binary.Probability]),
        MulticlassOutcome multiclass => (multiclass.Label, [.. multiclass.Probabilities.Select(p => (double)p)]),
        RegressionOutcome regression => (null, [regression.Value]),
        _ => throw new ArgumentException($"{outcome} is no outcome of a task.", nameof(outcome)),
    };
}
