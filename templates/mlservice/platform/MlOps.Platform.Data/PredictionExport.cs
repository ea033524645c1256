using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MlOps.Platform.Data.Schema;

namespace MlOps.Platform.Data;

/// <summary>What <see cref="PredictionExport.WriteTrainingCsvAsync"/> wrote and why it left the other labelled predictions out.</summary>
/// <param name="Written">Rows written: labelled predictions with their inputs and a valid truth.</param>
/// <param name="InputsHashed">Left out: only the hash of their inputs was stored (inputs mode <c>hash</c>).</param>
/// <param name="InputsOmitted">Left out: their inputs were not stored (inputs mode <c>omit</c>).</param>
/// <param name="TruthInvalid">Left out: their latest truth is no longer a valid label of the model (its classes or range changed).</param>
/// <param name="InputsInvalid">Left out: their inputs no longer validate against the model's features (a feature was added, a range or category changed; a feature since removed is just left out of the file).</param>
public sealed record PredictionExportCounts(int Written, int InputsHashed, int InputsOmitted, int TruthInvalid, int InputsInvalid)
{
    /// <summary>Every labelled prediction left out, whatever the reason.</summary>
    public int Skipped => InputsHashed + InputsOmitted + TruthInvalid + InputsInvalid;
}

/// <summary>Real traffic as training data: the labelled predictions of a model, written as its training CSV.</summary>
public static class PredictionExport
{
    /// <summary>
    /// Writes to <paramref name="path"/> the training CSV of <paramref name="definition"/> made of its labelled predictions
    /// (made at or after <paramref name="since"/> when given), oldest first, then by id (a request's ids count up in instance order), so the file keeps the order of the traffic and the same rows give the same file: the header is the feature names then the label
    /// (as <c>data/&lt;name&gt;.csv</c> is written: comma-separated, <c>\n</c> line ends, UTF-8 without a byte-order mark),
    /// the features come from the stored inputs and the label from the prediction's latest feedback, in the label's form
    /// (<c>true</c>/<c>false</c>, a class, a number). <c>TrainingData.Load</c> of MlOps.Platform.Training reads it.
    /// Predictions whose inputs were hashed or omitted, or whose truth or inputs no longer validate against the definition,
    /// are counted and left out. The file appears whole or not at all (written beside it, then moved over it).
    /// </summary>
    public static async Task<PredictionExportCounts> WriteTrainingCsvAsync(
        ModelDefinition definition, PredictionDatabase database, string path, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var partial = $"{full}.{Guid.NewGuid():N}.partial";
        int written = 0, hashed = 0, omitted = 0, invalidTruth = 0, invalidInputs = 0;
        try
        {
            await using (var file = new StreamWriter(partial, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                file.NewLine = "\n";
                await file.WriteLineAsync(string.Join(',', definition.Features.Select(f => f.Name).Append(definition.Label.Name)));
                await using var context = database.CreateContext();
                await foreach (var row in Read(context, definition, since?.UtcDateTime).AsAsyncEnumerable().WithCancellation(cancellationToken))
                {
                    switch (Line(definition, row))
                    {
                        case { } line:
                            await file.WriteLineAsync(line);
                            written++;
                            break;
                        case null when row.Inputs is null:
                            omitted++;
                            break;
                        case null when !row.Inputs.StartsWith('{'):
                            hashed++;
                            break;
                        case null when StoredValues.Truth(definition, row.Truth) is null:
                            invalidTruth++;
                            break;
                        default:
                            invalidInputs++;
                            break;
                    }
                }
            }

            File.Move(partial, full, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }

        return new PredictionExportCounts(written, hashed, omitted, invalidTruth, invalidInputs);
    }

    /// <summary>
    /// The model's labelled predictions since <paramref name="since"/> (all without it), oldest first, with their inputs and
    /// latest truth: a range of <c>ix_predictions_model_created_at</c>, the feedback found through <c>ix_feedback_prediction_id</c>.
    /// </summary>
    private static IQueryable<LabelledInputs> Read(PredictionDbContext context, ModelDefinition definition, DateTime? since) =>
        since is { } from
            ? context.Database.SqlQuery<LabelledInputs>($"""
                SELECT p.inputs AS "Inputs",
                       (SELECT f.truth FROM feedback AS f WHERE f.prediction_id = p.id ORDER BY f.created_at DESC, f.id DESC LIMIT 1) AS "Truth"
                FROM predictions AS p
                WHERE p.model = {definition.Name} AND p.created_at >= {from}
                  AND EXISTS (SELECT 1 FROM feedback AS l WHERE l.prediction_id = p.id)
                ORDER BY p.created_at, p.id
                """)
            : context.Database.SqlQuery<LabelledInputs>($"""
                SELECT p.inputs AS "Inputs",
                       (SELECT f.truth FROM feedback AS f WHERE f.prediction_id = p.id ORDER BY f.created_at DESC, f.id DESC LIMIT 1) AS "Truth"
                FROM predictions AS p
                WHERE p.model = {definition.Name}
                  AND EXISTS (SELECT 1 FROM feedback AS l WHERE l.prediction_id = p.id)
                ORDER BY p.created_at, p.id
                """);

    /// <summary>The CSV line of a labelled prediction; null when it cannot be one (see <see cref="PredictionExportCounts"/>).</summary>
    private static string? Line(ModelDefinition definition, LabelledInputs row)
    {
        if (row.Inputs is null || !row.Inputs.StartsWith('{') || StoredValues.Truth(definition, row.Truth) is null)
        {
            return null;
        }

        try
        {
            using var inputs = JsonDocument.Parse(row.Inputs);
            if (inputs.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            // The model's features as it defines them now; what it no longer has is left behind, what it lacks fails below.
            var record = new Dictionary<string, RawValue>(StringComparer.Ordinal);
            foreach (var feature in definition.Features)
            {
                record[feature.Name] = inputs.RootElement.TryGetProperty(feature.Name, out var value) ? RawValue.FromJson(value) : RawValue.Missing;
            }

            record[definition.Label.Name] = StoredValues.Label(definition, row.Truth);
            if (definition.ValidateExample(record, []) is null)
            {
                return null;
            }

            // Numbers as they were sent (the decimals the client wrote), categories and the label as text.
            var cells = definition.Features.Select(f => Quote(record[f.Name].Text ?? string.Empty)).Append(Quote(row.Truth));
            return string.Join(',', cells);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A cell as the repository's CSV files write it: quoted when it holds a comma, a quote or a line break.</summary>
    private static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    /// <summary>A labelled prediction as the export query reads it.</summary>
    private sealed class LabelledInputs
    {
        public string? Inputs { get; set; }

        public string Truth { get; set; } = string.Empty;
    }
}
