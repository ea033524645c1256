using System.Globalization;
using Microsoft.Data.Sqlite;
using MlOps.Platform.Data.Schema;
using Npgsql;
using NpgsqlTypes;

namespace MlOps.Platform.Data;

/// <summary>
/// Inserts rows of table <c>predictions</c> in one transaction with each driver's cheapest path: one prepared INSERT
/// on SQLite, a binary COPY on PostgreSQL. EF Core's change tracking and SQL generation cost the writer more CPU per
/// row than the prediction itself (<c>build/bench.sh 3 log</c>), and the writer shares the cores with the requests.
/// Values are stored exactly as EF Core writes and reads them (on SQLite: ids as uppercase text, times as
/// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c>); <see cref="Columns"/> must name every column of the EF Core model.
/// </summary>
public static class PredictionRows
{
    /// <summary>The columns written, in order: every column of <see cref="PredictionRecord"/>'s table.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["id", "model", "model_version", "request_id", "created_at", "inputs", "outputs", "latency_ms"];

    private static readonly string s_columnList = string.Join(", ", Columns);

    /// <summary>Inserts <paramref name="rows"/> into <paramref name="database"/>, all or none.</summary>
    public static Task InsertAsync(PredictionDatabase database, IEnumerable<PredictionRecord> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(rows);
        return database.Provider == PredictionStore.Sqlite
            ? InsertSqliteAsync(database.ConnectionString, rows, cancellationToken)
            : CopyPostgresAsync(database.ConnectionString, rows, cancellationToken);
    }

    private static async Task InsertSqliteAsync(string connectionString, IEnumerable<PredictionRecord> rows, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO predictions ({s_columnList}) VALUES ({string.Join(", ", Columns.Select(c => "$" + c))})";
        var values = Columns.Select(c => insert.Parameters.Add("$" + c, c == "latency_ms" ? SqliteType.Real : SqliteType.Text)).ToArray();
        insert.Prepare();
        foreach (var row in rows)
        {
            values[0].Value = row.Id.ToString("D").ToUpperInvariant();
            values[1].Value = row.Model;
            values[2].Value = row.ModelVersion;
            values[3].Value = row.RequestId;
            values[4].Value = row.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
            values[5].Value = (object?)row.Inputs ?? DBNull.Value;
            values[6].Value = row.Outputs;
            values[7].Value = row.LatencyMs;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task CopyPostgresAsync(string connectionString, IEnumerable<PredictionRecord> rows, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // One COPY is one statement: the rows arrive all or none.
        await using var copy = await connection.BeginBinaryImportAsync($"COPY predictions ({s_columnList}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(row.Id, NpgsqlDbType.Uuid, cancellationToken);
            await copy.WriteAsync(row.Model, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(row.ModelVersion, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(row.RequestId, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken);
            if (row.Inputs is null)
            {
                await copy.WriteNullAsync(cancellationToken);
            }
            else
            {
                await copy.WriteAsync(row.Inputs, NpgsqlDbType.Text, cancellationToken);
            }

            await copy.WriteAsync(row.Outputs, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(row.LatencyMs, NpgsqlDbType.Double, cancellationToken);
        }

        await copy.CompleteAsync(cancellationToken);
    }
}
