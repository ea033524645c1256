using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using MlOps.Platform.Data;

namespace MlOps.Platform.Tests.Data;

/// <summary>The committed migrations build the schema from an empty database on each provider, and match the model.</summary>
public sealed class MigrationTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrating_an_empty_database_creates_both_tables_with_snake_case_columns_and_only_the_two_query_indexes(PredictionStore provider)
    {
        using var database = await TestDatabase.CreateAsync(provider, postgres);

        await database.Database.MigrateAsync();

        await using var context = database.Database.CreateContext();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        (await ColumnsAsync(connection, provider, "predictions")).Should().BeEquivalentTo(
            "id", "model", "model_version", "request_id", "created_at", "inputs", "outputs", "latency_ms");
        (await ColumnsAsync(connection, provider, "feedback")).Should().BeEquivalentTo(
            "id", "prediction_id", "truth", "created_at", "source");
        (await IndexesAsync(connection, provider)).Should().BeEquivalentTo("ix_feedback_prediction_id", "ix_predictions_model_created_at");
        (await context.Database.GetAppliedMigrationsAsync()).Should().Equal(context.Database.GetMigrations());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrating_again_changes_nothing_and_keeps_the_rows(PredictionStore provider)
    {
        using var database = await TestDatabase.MigratedAsync(provider, postgres);
        await using (var context = database.Database.CreateContext())
        {
            context.Predictions.Add(new() { Id = Guid.CreateVersion7(), Model = "churn", ModelVersion = "v1", RequestId = "r", CreatedAt = DateTime.UtcNow, Outputs = "{}" });
            await context.SaveChangesAsync();
        }

        await database.Database.MigrateAsync();

        (await database.PredictionsAsync()).Should().ContainSingle();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_providers_migrations_match_the_model_so_a_schema_change_without_a_migration_fails_here(PredictionStore provider)
    {
        using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var context = database.Database.CreateContext();

        context.Database.HasPendingModelChanges().Should().BeFalse(
            $"add a migration: dotnet ef migrations add <Name> --context {context.GetType().Name} --output-dir Migrations/{provider}");
    }

    private static async Task<List<string>> ColumnsAsync(DbConnection connection, PredictionStore provider, string table) =>
        await ReadAsync(connection, provider == PredictionStore.Sqlite
            ? $"SELECT name FROM pragma_table_info('{table}')"
            : $"SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}'");

    /// <summary>The indexes besides the primary keys' (which every table has).</summary>
    private static async Task<List<string>> IndexesAsync(DbConnection connection, PredictionStore provider) =>
        await ReadAsync(connection, provider == PredictionStore.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('predictions', 'feedback') AND name NOT LIKE 'sqlite_autoindex%'"
            : "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('predictions', 'feedback') AND indexname NOT LIKE 'pk_%'");

    private static async Task<List<string>> ReadAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
