using Microsoft.EntityFrameworkCore;
using MlOps.Platform.Data;
using MlOps.Platform.Data.Schema;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// The schema document is the schema: generated from the model the migrations are made from, committed beside the
/// package, and every table, column and index has its line (and no line outlives what it describes).
/// UPDATE_SNAPSHOTS=1 rewrites the committed file after a schema change.
/// </summary>
public sealed class SchemaDocumentTests
{
    private static string Committed => Path.Combine(Repository.Root, "platform", "MlOps.Platform.Data", "SCHEMA.md");

    [Fact]
    public void The_committed_schema_document_is_the_one_the_model_gives()
    {
        var rendered = SchemaDocument.Render();
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(Committed, rendered);
        }

        File.ReadAllText(Committed).Should().Be(rendered, "SCHEMA.md is generated from the schema: rerun with UPDATE_SNAPSHOTS=1 after changing it");
        foreach (var index in new[] { "ix_predictions_model_created_at", "ix_feedback_prediction_id" })
        {
            rendered.Should().Contain($"| `{index}` |", "each index the migrations create is listed with why it exists");
        }

        rendered.Should().Contain("| `created_at` | `TEXT` | `timestamp with time zone` | no |", "each column has its type on both databases");
    }

    [Fact]
    public void Every_line_describes_a_table_column_or_index_the_schema_has()
    {
        using var context = new PredictionDatabase(PredictionStore.Sqlite, "Data Source=:memory:").CreateContext();
        var entities = context.Model.GetEntityTypes().ToList();
        var tables = entities.Select(e => e.GetTableName()!).ToList();
        var columns = entities.SelectMany(e => e.GetProperties().Select(p => $"{e.GetTableName()}.{p.GetColumnName()}")).ToList();
        var indexes = entities.SelectMany(e => e.GetIndexes().Select(i => i.GetDatabaseName()!)).ToList();

        SchemaDocument.Tables.Keys.Should().BeEquivalentTo(tables);
        SchemaDocument.Columns.Keys.Should().BeEquivalentTo(columns);
        SchemaDocument.Indexes.Keys.Should().BeEquivalentTo(indexes, "an index no query needs has no place in the schema, and each one's query is said");
    }

    [Fact]
    public void The_writer_inserts_every_column_of_the_predictions_table()
    {
        using var context = new PredictionDatabase(PredictionStore.Sqlite, "Data Source=:memory:").CreateContext();
        var columns = context.Model.FindEntityType(typeof(PredictionRecord))!.GetProperties().Select(p => p.GetColumnName());

        PredictionRows.Columns.Should().BeEquivalentTo(columns, "the writer's plain INSERT and COPY must name every column of the model");
    }
}
