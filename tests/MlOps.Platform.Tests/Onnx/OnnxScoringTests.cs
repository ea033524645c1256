using System.Globalization;
using MlOps.Platform.Onnx;
using Xunit.Abstractions;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// ONNX Runtime scores each producing case as its producer did: a batch of every eval row in one run, row by row, and
/// from many threads sharing one scorer.
/// </summary>
public sealed class OnnxScoringTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(OnnxCase.Producing), MemberType = typeof(OnnxCase))]
    public void One_batch_of_every_eval_row_scores_as_the_producer_predicted(string caseName)
    {
        var definition = OnnxCase.Of(caseName);
        using var scorer = OnnxKind.OpenGraph(definition.Graph, definition, definition.GraphPath);

        var outcomes = scorer.Score(definition.Rows());

        var difference = definition.Expected.ShouldMatch(definition, outcomes);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{caseName}: {outcomes.Length} rows, max {(definition.Task == ModelTask.Regression ? "relative" : "absolute")} difference from the producer {difference:G3}"));
    }

    /// <summary>
    /// One row is a batch of one: it scores as it does in a batch of every row. ONNX Runtime's matrix kernels may sum
    /// in another order for another batch size (the scikit-learn graphs' LinearClassifier and LinearRegressor differ in
    /// the last bits of a float), so "the same" is to 1e-5, and the same label; a misplaced row is far off.
    /// </summary>
    [Theory]
    [MemberData(nameof(OnnxCase.Producing), MemberType = typeof(OnnxCase))]
    public void Scoring_the_rows_one_by_one_gives_the_outcomes_of_the_batch(string caseName)
    {
        var definition = OnnxCase.Of(caseName);
        var rows = definition.Rows();
        using var scorer = OnnxKind.OpenGraph(definition.Graph, definition, definition.GraphPath);

        var batch = scorer.Score(rows);
        var single = rows.Select(row => scorer.Score([row]).Should().ContainSingle().Subject).ToList();

        var difference = ProducerPredictions.From(batch).ShouldMatch(definition, single, tolerance: 1e-5);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{caseName}: one by one against the batch, max difference {difference:G3}"));
    }

    [Theory]
    [MemberData(nameof(OnnxCase.Producing), MemberType = typeof(OnnxCase))]
    public async Task Many_threads_scoring_one_scorer_at_once_get_the_answers_of_one_thread(string caseName)
    {
        var definition = OnnxCase.Of(caseName);
        var rows = definition.Rows();
        using var scorer = OnnxKind.OpenGraph(definition.Graph, definition, definition.GraphPath);
        const int Threads = 8;
        // Per thread, ten batches of rows of several sizes (one row to most of them), each scored alone first.
        var batches = Enumerable.Range(0, Threads).Select(thread => Enumerable.Range(0, 10).Select(round =>
        {
            var from = ((thread * 7) + (round * 13)) % rows.Count;
            return rows.Skip(from).Take(1 + (round * 17 % (rows.Count - from))).ToArray();
        }).ToArray()).ToArray();
        var alone = batches.Select(rounds => rounds.Select(batch => Exactly(scorer.Score(batch))).ToArray()).ToArray();
        using var start = new Barrier(Threads);

        var together = await Task.WhenAll(batches.Select(rounds => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                return rounds.Select(batch => Exactly(scorer.Score(batch))).ToArray();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)));

        together.Should().BeEquivalentTo(alone, o => o.WithStrictOrdering(), "a shared session answers each of many threads at once bit for bit as it answers one");
    }

    /// <summary>A batch's outcomes, every number to the last bit.</summary>
    private static string Exactly(IEnumerable<Outcome> outcomes) => string.Join('\n', outcomes.Select(outcome => outcome switch
    {
        BinaryOutcome b => string.Create(CultureInfo.InvariantCulture, $"{b.Label} {b.Probability:R} {b.Score:R}"),
        MulticlassOutcome m => $"{m.Label} {string.Join(' ', m.Probabilities.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))}",
        RegressionOutcome v => v.Value.ToString("R", CultureInfo.InvariantCulture),
        _ => outcome.ToString(),
    }));
}
