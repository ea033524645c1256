using Microsoft.EntityFrameworkCore;
using MlOps.Platform.Data.Schema;

namespace MlOps.Platform.Data;

/// <summary>Retention of the prediction log: deletes what is older than the team keeps.</summary>
public static class PredictionRetention
{
    /// <summary>
    /// Deletes every prediction made before <paramref name="olderThan"/>, of every model in the database (served or not),
    /// with its feedback (by the foreign key's cascade); returns how many predictions it deleted. Works model by model
    /// through <c>ix_predictions_model_created_at</c> (each model found by a seek in it, its old predictions a range of
    /// it), at most <paramref name="batchSize"/> predictions per statement, each its own short transaction: the writer
    /// and the feedback endpoint go on meanwhile (on SQLite they wait for one batch at most). Safe to run again after an
    /// interruption: it deletes what is left.
    /// </summary>
    public static async Task<long> PruneAsync(
        PredictionDatabase database, DateTimeOffset olderThan, int batchSize = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var cutoff = olderThan.UtcDateTime;
        var deleted = 0L;
        await using var context = database.CreateContext();
        // Model names are never empty: every name sorts after "".
        for (var model = await NextModelAsync(context, string.Empty, cancellationToken); model is not null; model = await NextModelAsync(context, model, cancellationToken))
        {
            while (true)
            {
                var batch = await context.Database.ExecuteSqlAsync(
                    $"""
                    DELETE FROM predictions
                    WHERE id IN (SELECT o.id FROM predictions AS o WHERE o.model = {model} AND o.created_at < {cutoff} ORDER BY o.created_at LIMIT {batchSize})
                    """,
                    cancellationToken);
                deleted += batch;
                if (batch < batchSize)
                {
                    break;
                }
            }
        }

        return deleted;
    }

    /// <summary>The first model name after <paramref name="after"/> in the predictions, or null: one seek in <c>ix_predictions_model_created_at</c>.</summary>
    private static async Task<string?> NextModelAsync(PredictionDbContext context, string after, CancellationToken cancellationToken) =>
        (await context.Database.SqlQuery<string>($"""SELECT p.model AS "Value" FROM predictions AS p WHERE p.model > {after} ORDER BY p.model LIMIT 1""")
            .ToListAsync(cancellationToken)).SingleOrDefault();
}
