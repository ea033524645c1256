using Microsoft.Data.Sqlite;
using MlOps.Platform.Data;
using Npgsql;
using Xunit.Abstractions;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// The commands that live quality, the export and retention really send (captured from EF Core) are planned on each
/// database through the two indexes of the schema, never as a scan of table predictions: SQLite's EXPLAIN QUERY
/// PLAN, and PostgreSQL's EXPLAIN with sequential scans priced out (on a few rows the planner would rightly scan).
/// </summary>
[Collection(LabelledTrafficServer.Name)]
public sealed class QueryPlanTests(PostgresServer postgres, ITestOutputHelper output)
{
    private const string ByModelAndTime = "ix_predictions_model_created_at";
    private const string ByPrediction = "ix_feedback_prediction_id";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Live_quality_export_and_retention_search_the_indexes_and_never_scan_the_predictions(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        var now = DateTime.UtcNow;
        var predictions = ModelCatalog.All.SelectMany(m => Enumerable.Range(0, 5).Select(i => LabelledTraffic.Prediction(m.Name, now.AddDays(-i * 20), "{}"))).ToList();
        await LabelledTraffic.AddAsync(database, predictions, predictions.Where((_, i) => i % 2 == 0).Select(p => LabelledTraffic.Feedback(p.Id, "true", now)));
        using var monitored = new StandaloneMonitor(database);
        var model = ModelCatalog.All[0];
        var export = Path.Combine(Path.GetTempPath(), $"mlops-plan-{Guid.NewGuid():N}.csv");

        List<CapturedCommand> live, exported, pruned;
        using (var capture = CommandCapture.Start())
        {
            (await monitored.Monitor.RefreshAsync()).Should().BeTrue();
            live = [.. capture.Commands];
            await PredictionExport.WriteTrainingCsvAsync(model, database.Database, export);
            await PredictionExport.WriteTrainingCsvAsync(model, database.Database, export, since: now.AddDays(-30));
            exported = [.. capture.Commands.Skip(live.Count)];
            (await PredictionRetention.PruneAsync(database.Database, now.AddDays(-50), batchSize: 1)).Should().Be(ModelCatalog.All.Count * 2);
            pruned = [.. capture.Commands.Skip(live.Count + exported.Count)];
        }

        File.Delete(export);
        live.Should().HaveCount(ModelCatalog.All.Count, "one query per served model");
        exported.Should().HaveCount(2);
        pruned.Should().Contain(c => c.Text.TrimStart().StartsWith("DELETE", StringComparison.Ordinal)).And.Contain(c => c.Text.Contains("ORDER BY p.model", StringComparison.Ordinal));
        foreach (var command in live.Concat(exported))
        {
            var plan = await PlanAsync(database, command);
            ShouldSearch(provider, plan, ByModelAndTime);
            ShouldSearch(provider, plan, ByPrediction);
        }

        foreach (var command in pruned.DistinctBy(c => c.Text))
        {
            ShouldSearch(provider, await PlanAsync(database, command), ByModelAndTime);
        }
    }

    /// <summary>The plan names <paramref name="index"/> and scans neither table whole.</summary>
    private static void ShouldSearch(PredictionStore provider, string plan, string index)
    {
        plan.Should().Contain(index);
        if (provider == PredictionStore.Sqlite)
        {
            // SEARCH is a lookup or a range of an index; SCAN reads a whole table or index.
            plan.Split('\n').Should().NotContain(line => line.TrimStart().StartsWith("SCAN", StringComparison.Ordinal), plan);
        }
        else
        {
            plan.Should().NotContain("Seq Scan").And.NotMatchRegex(@"Index (Only )?Scan (Backward )?using \w+ on predictions(?: \w+)?\n(?!\s+Index Cond)");
        }
    }

    /// <summary>The provider's plan of the captured command, with its parameters, one line per step.</summary>
    private async Task<string> PlanAsync(TestDatabase database, CapturedCommand command)
    {
        var lines = new List<string>();
        if (database.Provider == PredictionStore.Sqlite)
        {
            await using var connection = new SqliteConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var explain = connection.CreateCommand();
            explain.CommandText = "EXPLAIN QUERY PLAN " + command.Text;
            foreach (var (name, value) in command.Parameters)
            {
                explain.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(3));
            }
        }
        else
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
            {
                await off.ExecuteNonQueryAsync();
            }

            await using var explain = new NpgsqlCommand("EXPLAIN " + command.Text, connection);
            foreach (var (name, value) in command.Parameters)
            {
                explain.Parameters.Add(new NpgsqlParameter { ParameterName = name, Value = value ?? DBNull.Value });
            }

            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        var plan = string.Join('\n', lines) + "\n";
        output.WriteLine($"{command.Text}\n{plan}");
        return plan;
    }
}
