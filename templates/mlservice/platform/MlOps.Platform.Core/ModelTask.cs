using System.Text.Json.Serialization;

namespace MlOps.Platform;

/// <summary>What a model predicts; written as <c>binary</c>, <c>multiclass</c> or <c>regression</c> in JSON, params and the CLI.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelTask>))]
public enum ModelTask
{
    /// <summary>Yes or no, with a probability.</summary>
    [JsonStringEnumMemberName("binary")]
    Binary,

    /// <summary>One of several classes, with a probability per class.</summary>
    [JsonStringEnumMemberName("multiclass")]
    Multiclass,

    /// <summary>A number.</summary>
    [JsonStringEnumMemberName("regression")]
    Regression,
}

/// <summary>The text form of <see cref="ModelTask"/>, as params files and the command line write it.</summary>
public static class ModelTasks
{
    /// <summary>Every task, in declaration order.</summary>
    public static IReadOnlyList<ModelTask> All { get; } = [ModelTask.Binary, ModelTask.Multiclass, ModelTask.Regression];

    /// <summary>The text form of <paramref name="task"/>: <c>binary</c>, <c>multiclass</c> or <c>regression</c>.</summary>
    public static string ToText(this ModelTask task) => task switch
    {
        ModelTask.Binary => "binary",
        ModelTask.Multiclass => "multiclass",
        ModelTask.Regression => "regression",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };

    /// <summary>The kind of <paramref name="task"/>: its outcomes, metrics, baseline and gate.</summary>
    public static TaskKind Kind(this ModelTask task) => TaskKind.Of(task);

    /// <summary>Parses <c>binary</c>, <c>multiclass</c> or <c>regression</c> (exact, lowercase).</summary>
    public static bool TryParse(string? text, out ModelTask task)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToText(), text, StringComparison.Ordinal))
            {
                task = candidate;
                return true;
            }
        }

        task = default;
        return false;
    }
}
