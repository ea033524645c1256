using System.Globalization;
using System.Text.Json;

namespace MlOps.Platform.Data;

/// <summary>Reads back what the log stored: a prediction's outputs as the outcome the client was given, and a feedback's truth as the model's label.</summary>
internal static class StoredValues
{
    /// <summary>
    /// The outcome of a stored <c>outputs</c> JSON (the predict response's element of the model's task); null when it is
    /// not one of the model (another task, a class the model no longer has, a value that is not a number).
    /// </summary>
    public static Outcome? Outcome(ModelDefinition model, string outputs)
    {
        try
        {
            using var document = JsonDocument.Parse(outputs);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            switch (model.Task)
            {
                case ModelTask.Binary:
                    return root.TryGetProperty("label", out var flag) && flag.ValueKind is JsonValueKind.True or JsonValueKind.False
                        && Number(root, "probability") is { } probability && Number(root, "score") is { } score
                        ? new BinaryOutcome(flag.GetBoolean(), probability, score)
                        : null;
                case ModelTask.Multiclass:
                    if (!root.TryGetProperty("label", out var label) || label.ValueKind != JsonValueKind.String
                        || !model.Label.Classes.Contains(label.GetString(), StringComparer.Ordinal))
                    {
                        return null;
                    }

                    var probabilities = new float[model.Label.Classes.Count];
                    if (root.TryGetProperty("probabilities", out var byClass) && byClass.ValueKind == JsonValueKind.Object)
                    {
                        for (var i = 0; i < probabilities.Length; i++)
                        {
                            probabilities[i] = Number(byClass, model.Label.Classes[i]) ?? 0;
                        }
                    }

                    return new MulticlassOutcome(label.GetString()!, probabilities);
                default:
                    return Number(root, "value") is { } value ? new RegressionOutcome(value) : null;
            }
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A row holding <paramref name="truth"/> (a feedback's text) in the label member of the model's task, read as training
    /// reads its CSV label (a regression value as a float); null when it is no longer a valid label of the model.
    /// </summary>
    public static LabeledRow? Truth(ModelDefinition model, string truth)
    {
        var value = Label(model, truth);
        if (model.LabelError(value) is not null)
        {
            return null;
        }

        return model.Task switch
        {
            ModelTask.Binary => new LabeledRow { Flag = value.Text == "true" },
            ModelTask.Multiclass => new LabeledRow { Class = value.Text! },
            _ => new LabeledRow { Value = (float)value.Number },
        };
    }

    /// <summary>A feedback's truth as the raw label value of the model's task: a number for a regression, text otherwise.</summary>
    public static RawValue Label(ModelDefinition model, string truth) =>
        model.Task == ModelTask.Regression
            ? double.TryParse(truth, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? RawValue.Of(number) : RawValue.Of(truth)
            : RawValue.Of(truth);

    private static float? Number(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var number)
        && float.IsFinite((float)number)
            ? (float)number
            : null;
}
