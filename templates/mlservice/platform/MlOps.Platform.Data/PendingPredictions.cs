using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Platform.Data.Schema;
using MlOps.Platform.Serving.Inference;

namespace MlOps.Platform.Data;

/// <summary>
/// One request's predictions waiting in the queue, with the ids the client was given. Turned into rows by the
/// writer, off the hot path: the JSON of inputs and outputs is written there, not while the client waits.
/// </summary>
/// <param name="Served">What the endpoint handed over.</param>
/// <param name="Ids">One id per instance, in order.</param>
/// <param name="CreatedAt">When the log took them (UTC).</param>
public sealed record PendingPredictions(ServedPredictions Served, IReadOnlyList<Guid> Ids, DateTime CreatedAt)
{
    private static readonly JsonSerializerOptions s_web = new(JsonSerializerDefaults.Web);

    /// <summary>How many predictions (instances) it holds.</summary>
    public int Count => Ids.Count;

    /// <summary>The rows of table <c>predictions</c>, keeping of the inputs what <paramref name="inputs"/> says.</summary>
    public IEnumerable<PredictionRecord> ToRecords(InputsMode inputs)
    {
        var served = Served;
        var latency = served.Latency.TotalMilliseconds;
        for (var i = 0; i < Ids.Count; i++)
        {
            yield return new PredictionRecord
            {
                Id = Ids[i],
                Model = served.Model.Name,
                ModelVersion = served.Version,
                RequestId = served.RequestId,
                CreatedAt = CreatedAt,
                Inputs = inputs == InputsMode.Omit ? null : Inputs(served.Model, served.Inputs[i], inputs),
                // Serialized as the response was (web defaults), so the row holds what the client received.
                Outputs = JsonSerializer.Serialize(served.Outputs[i], served.Outputs[i].GetType(), s_web),
                LatencyMs = latency,
            };
        }
    }

    /// <summary>
    /// The instance as a JSON object in the model's schema (every feature in definition order, numbers as the
    /// decimals they were sent as), or the lowercase hex SHA-256 of that JSON.
    /// </summary>
    public static string Inputs(ModelDefinition model, FeatureRow row, InputsMode mode)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(row);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var feature in model.Features)
            {
                if (feature is NumericFeature)
                {
                    json.WriteNumber(feature.Name, model.Numeric(row, feature.Name));
                }
                else
                {
                    json.WriteString(feature.Name, model.Categorical(row, feature.Name));
                }
            }

            json.WriteEndObject();
        }

        return mode == InputsMode.Hash
            ? Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
            : System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
