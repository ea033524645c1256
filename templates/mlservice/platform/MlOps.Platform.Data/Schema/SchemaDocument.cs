using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace MlOps.Platform.Data.Schema;

/// <summary>
/// The prediction log's schema as Markdown, read from the EF Core model of each provider (the model the migrations
/// are made from): tables, columns with their type on SQLite and on PostgreSQL, keys, indexes and why each exists, and
/// how rows are written and deleted. A repository's <c>docs/DATABASE.md</c> holds it, and a test fails when the
/// two disagree, so the document cannot drift from the schema. A table, column or index without a line here fails too.
/// </summary>
public static class SchemaDocument
{
    /// <summary>What each table holds and how its rows are written and deleted.</summary>
    public static IReadOnlyDictionary<string, string> Tables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["predictions"] = "One row per answered instance. Inserted in batches by the background writer, never updated; deleted only by retention (`db-prune`), by model and age.",
        ["feedback"] = "What really happened after a prediction. Inserted by `POST /v1/models/{name}/feedback`, never updated: a later row about the same prediction corrects an earlier one. Deleted with its prediction (cascade).",
    };

    /// <summary>What each column holds, by <c>table.column</c>.</summary>
    public static IReadOnlyDictionary<string, string> Columns { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["predictions.id"] = "Version 7 UUID, returned to the client in `X-Prediction-Ids`; ids of one period are neighbours in the key.",
        ["predictions.model"] = "The model's name.",
        ["predictions.model_version"] = "The version that answered, from its manifest.",
        ["predictions.request_id"] = "The request's correlation id, as in its log lines (shared by a batch).",
        ["predictions.created_at"] = "When it was answered (UTC).",
        ["predictions.inputs"] = "The instance as JSON (`PredictionLog:Inputs` = `store`), its SHA-256 (`hash`), or null (`omit`).",
        ["predictions.outputs"] = "What the client received for the instance, as JSON.",
        ["predictions.latency_ms"] = "Milliseconds from the handler's start to the batch's scores.",
        ["feedback.id"] = "Version 7 UUID.",
        ["feedback.prediction_id"] = "The prediction it is about.",
        ["feedback.truth"] = "The true label or value, in the label's form (`true`/`false`, a class, a number).",
        ["feedback.created_at"] = "When it arrived (UTC).",
        ["feedback.source"] = "Who reported it, when the caller said.",
    };

    /// <summary>The query each index serves; an index no query needs has no place in the schema.</summary>
    public static IReadOnlyDictionary<string, string> Indexes { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ix_predictions_model_created_at"] = "A model's predictions by time: the live-quality window (newest first), `export-feedback` (oldest first) and retention's deletes by age.",
        ["ix_feedback_prediction_id"] = "A prediction's truths (live quality, export, the feedback endpoint) and the cascade when retention deletes predictions.",
    };

    /// <summary>The schema section of <c>docs/DATABASE.md</c>, from the model of both providers.</summary>
    /// <exception cref="InvalidOperationException">A table, column or index of the model has no line in <see cref="Tables"/>, <see cref="Columns"/> or <see cref="Indexes"/>.</exception>
    public static string Render()
    {
        using var sqlite = new PredictionDatabase(PredictionStore.Sqlite, "Data Source=:memory:").CreateContext();
        using var postgres = new PredictionDatabase(PredictionStore.Postgres, "Host=localhost").CreateContext();
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("<!-- Generated from the EF Core model of MlOps.Platform.Data (SchemaDocument.Render); do not edit by hand. -->");
        foreach (var entity in sqlite.Model.GetEntityTypes().OrderByDescending(e => e.GetTableName() == "predictions"))
        {
            var table = entity.GetTableName()!;
            var other = postgres.Model.FindEntityType(entity.Name)!;
            Line();
            Line($"### Table `{table}`");
            Line();
            Line(Describe(Tables, table, "table"));
            Line();
            Line("| Column | SQLite | PostgreSQL | Null | What |");
            Line("| --- | --- | --- | --- | --- |");
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName();
                Line($"| `{column}` | {StoreType(property)} | {StoreType(other.FindProperty(property.Name)!)} | {(property.IsNullable ? "yes" : "no")} | {Describe(Columns, $"{table}.{column}", "column")} |");
            }

            Line();
            var key = entity.FindPrimaryKey()!;
            Line($"Primary key `{key.GetName()}` ({Names(key.Properties)}).");
            foreach (var foreignKey in entity.GetForeignKeys())
            {
                Line($"Foreign key `{foreignKey.GetConstraintName()}`: {Names(foreignKey.Properties)} references `{foreignKey.PrincipalEntityType.GetTableName()}` ({Names(foreignKey.PrincipalKey.Properties)}), on delete {foreignKey.DeleteBehavior.ToString().ToLowerInvariant()}.");
            }

            Line();
            Line("| Index | Columns | Why |");
            Line("| --- | --- | --- |");
            foreach (var index in entity.GetIndexes())
            {
                var name = index.GetDatabaseName()!;
                Line($"| `{name}` | {Names(index.Properties)} | {Describe(Indexes, name, "index")} |");
            }
        }

        return text.ToString();
    }

    /// <summary>The line before the schema section in a document that holds it.</summary>
    public const string StartMarker = "<!-- schema: generated from the migrations' model by the tests; do not edit below -->";

    /// <summary>The line after the schema section.</summary>
    public const string EndMarker = "<!-- end of schema -->";

    /// <summary>
    /// <paramref name="document"/> with the text between <see cref="StartMarker"/> and <see cref="EndMarker"/> replaced
    /// by <see cref="Render"/>: equal to the document exactly when its schema section is current.
    /// </summary>
    /// <exception cref="ArgumentException">The document lacks either marker, or has them out of order.</exception>
    public static string InDocument(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var start = document.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = document.IndexOf(EndMarker, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new ArgumentException($"The document has no schema section: a line '{StartMarker}', then a line '{EndMarker}'.", nameof(document));
        }

        var from = start + StartMarker.Length;
        return string.Concat(document[..from], "\n", Render(), "\n", document[end..]);
    }

    private static string StoreType(IReadOnlyProperty property) => $"`{((IProperty)property).GetRelationalTypeMapping().StoreType}`";

    private static string Names(IEnumerable<IReadOnlyProperty> properties) => string.Join(", ", properties.Select(p => $"`{p.GetColumnName()}`"));

    private static string Describe(IReadOnlyDictionary<string, string> lines, string key, string what) =>
        lines.TryGetValue(key, out var line)
            ? line
            : throw new InvalidOperationException($"The {what} '{key}' of the prediction log's schema has no line in SchemaDocument: say what it holds, or why it exists.");
}
