using System.Globalization;
using System.Text.Json;

namespace MlOps.Platform.Training;

/// <summary>
/// Every version of a model that passed the quality gate, kept in its folder as
/// <c>models/&lt;name&gt;/registry/&lt;version&gt;/</c> (model.zip and manifest.json), and which of them is
/// served: the copy in <c>models/&lt;name&gt;/</c>, replaced by promote and rollback, with each change
/// appended to <c>models/&lt;name&gt;/registry/promotions.jsonl</c>. Every method takes the model's folder.
/// </summary>
public static class ModelRegistry
{
    /// <summary>The name of the registry folder inside the model's folder.</summary>
    public const string FolderName = "registry";
    /// <summary>The name of the promotion history file in the registry folder.</summary>
    public const string HistoryFileName = "promotions.jsonl";

    /// <summary>The registry folder of the model: <c>&lt;modelsDirectory&gt;/registry</c>.</summary>
    public static string Folder(string modelsDirectory) => Path.Combine(modelsDirectory, FolderName);

    /// <summary>The folder of the registered <paramref name="version"/>: <c>registry/&lt;version&gt;</c>.</summary>
    public static string PathOf(string modelsDirectory, string version) => Path.Combine(Folder(modelsDirectory), version);

    /// <summary>The promotion history file: <c>registry/promotions.jsonl</c>.</summary>
    public static string HistoryPath(string modelsDirectory) => Path.Combine(Folder(modelsDirectory), HistoryFileName);

    /// <summary>The manifest of the model being served from <paramref name="modelsDirectory"/>; null when none is.</summary>
    public static ModelManifest? Serving(string modelsDirectory)
    {
        try
        {
            return File.Exists(Path.Combine(modelsDirectory, TrainedModel.FileName))
                ? ModelManifest.Load(Path.Combine(modelsDirectory, ModelManifest.FileName))
                : null;
        }
        catch (ModelLoadException ex)
        {
            throw new TrainingException(ex.Message, ex);
        }
    }

    /// <summary>Registered versions, oldest first (versions sort by time).</summary>
    public static IReadOnlyList<string> Versions(string modelsDirectory)
    {
        var folder = Folder(modelsDirectory);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateDirectories(folder)
                .Where(d => File.Exists(Path.Combine(d, TrainedModel.FileName)) && File.Exists(Path.Combine(d, ModelManifest.FileName)))
                .Select(Path.GetFileName)
                .Cast<string>()
                .Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>
    /// Saves a model that passed the gate as <c>registry/&lt;version&gt;/</c>. The folder is written under a
    /// temporary name and renamed, so a registered version is always complete.
    /// </summary>
    /// <param name="modelsDirectory">The model's folder.</param>
    /// <param name="save">Writes the model's <c>model.zip</c> to the path it is given.</param>
    /// <param name="manifest">The manifest of the version.</param>
    public static string Register(string modelsDirectory, Action<string> save, ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(save);
        ArgumentNullException.ThrowIfNull(manifest);
        var target = PathOf(modelsDirectory, manifest.Version);
        if (Directory.Exists(target))
        {
            throw new TrainingException($"Version {manifest.Version} is already registered in {Folder(modelsDirectory)}.");
        }

        var staging = target + ".tmp";
        Directory.CreateDirectory(staging);
        save(Path.Combine(staging, TrainedModel.FileName));
        manifest.Save(Path.Combine(staging, ModelManifest.FileName));
        Directory.Move(staging, target);
        return target;
    }

    /// <summary>
    /// Serves the registered <paramref name="version"/>: its files are copied beside the serving pair as
    /// <c>.tmp</c>, the manifest is renamed into place, then the model last (the API reloads on the model
    /// file and then reads the manifest beside it, so it always sees a matching pair).
    /// </summary>
    public static Promotion Promote(ModelDefinition model, string modelsDirectory, string version, string action, string? runId = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(version);
        var source = PathOf(modelsDirectory, version);
        if (version.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || !Versions(modelsDirectory).Contains(version, StringComparer.Ordinal))
        {
            var registered = Versions(modelsDirectory);
            throw new TrainingException(
                $"Version '{version}' is not registered in {Folder(modelsDirectory)}; nothing changed. " +
                (registered.Count == 0
                    ? "No version is registered yet: make train registers every model that passes the quality gate."
                    : $"Registered versions, newest last: {string.Join(", ", registered.TakeLast(10))}" +
                      (registered.Count > 10 ? $" ({registered.Count} in all, make runs lists them)." : ".")));
        }

        // A registered model must still load and score the canary row before it may serve.
        try
        {
            TrainedModel.Load(Path.Combine(source, TrainedModel.FileName), model).Dispose();
        }
        catch (ModelLoadException ex)
        {
            throw new TrainingException($"Version {version} cannot serve; nothing changed: {ex.Message}", ex);
        }

        var previous = Serving(modelsDirectory);
        var modelPath = Path.Combine(modelsDirectory, TrainedModel.FileName);
        var manifestPath = Path.Combine(modelsDirectory, ModelManifest.FileName);
        File.Copy(Path.Combine(source, ModelManifest.FileName), manifestPath + ".tmp", overwrite: true);
        File.Copy(Path.Combine(source, TrainedModel.FileName), modelPath + ".tmp", overwrite: true);
        File.Move(manifestPath + ".tmp", manifestPath, overwrite: true);
        File.Move(modelPath + ".tmp", modelPath, overwrite: true);

        var entry = new PromotionEntry(DateTimeOffset.UtcNow, action, version, previous?.Version, runId);
        File.AppendAllText(HistoryPath(modelsDirectory), JsonSerializer.Serialize(entry, TrainingJson.Line) + "\n");
        return new Promotion(previous, Serving(modelsDirectory)!, entry);
    }

    /// <summary>Serves again the version that was promoted before the current one, per the promotion history.</summary>
    public static Promotion Rollback(ModelDefinition model, string modelsDirectory)
    {
        var stack = ServingStack(History(modelsDirectory));
        if (stack.Count < 2)
        {
            throw new TrainingException(
                "Nothing to roll back; nothing changed: " + (stack.Count == 0
                    ? $"no promotion is recorded in {HistoryPath(modelsDirectory)} (make train promotes every model that passes the gate)."
                    : $"{stack[0]} is the only version promoted so far. make promote VERSION=<version> serves any registered version."));
        }

        return Promote(model, modelsDirectory, stack[^2], PromotionEntry.Rollback);
    }

    /// <summary>Every promotion and rollback, oldest first.</summary>
    public static IReadOnlyList<PromotionEntry> History(string modelsDirectory)
    {
        var path = HistoryPath(modelsDirectory);
        if (!File.Exists(path))
        {
            return [];
        }

        var entries = new List<PromotionEntry>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            try
            {
                entries.Add(JsonSerializer.Deserialize<PromotionEntry>(lines[i], TrainingJson.Line)
                    ?? throw new TrainingException($"{path}, line {i + 1}: empty entry."));
            }
            catch (JsonException ex)
            {
                throw new TrainingException($"{path}, line {i + 1} is not a valid promotion entry: {ex.Message}", ex);
            }
        }

        return entries;
    }

    /// <summary>
    /// The versions served so far that a rollback can return to, the current one last: each promotion
    /// pushes its version, each rollback pops the version it replaced.
    /// </summary>
    public static IReadOnlyList<string> ServingStack(IEnumerable<PromotionEntry> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var stack = new List<string>();
        foreach (var entry in history)
        {
            if (entry.Action == PromotionEntry.Rollback && stack.Count > 0)
            {
                stack.RemoveAt(stack.Count - 1);
                if (stack.Count > 0 && stack[^1] == entry.Version)
                {
                    continue;
                }
            }

            if (stack.Count == 0 || stack[^1] != entry.Version)
            {
                stack.Add(entry.Version);
            }
        }

        return stack;
    }

    /// <summary>Prints what was serving and what serves now: the output of make promote and make rollback.</summary>
    public static void Print(Promotion promotion, string modelsDirectory, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"Was serving: {Describe(promotion.Previous)}");
        output.WriteLine($"Now serving: {Describe(promotion.Current)}");
        output.WriteLine(
            $"{Path.Combine(modelsDirectory, TrainedModel.FileName)} and {ModelManifest.FileName} replaced; recorded in {HistoryPath(modelsDirectory)}.");
    }

    /// <summary>One line about a model: version, trainer, primary metric, creation time (UTC) and run; <c>nothing</c> for null.</summary>
    public static string Describe(ModelManifest? manifest)
    {
        if (manifest is null)
        {
            return "nothing";
        }

        var primary = TaskMetrics.PrimaryMetric(manifest.Task ?? ModelTask.Binary);
        return $"{manifest.Version} ({manifest.Trainer}, {primary} {TaskMetrics.Format(manifest.Metrics, primary)}, created {manifest.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC"
            + (manifest.RunId is null ? ")" : $", run {manifest.RunId})");
    }
}

/// <summary>One line of <c>promotions.jsonl</c>: at what time which version started serving, replacing which.</summary>
public sealed record PromotionEntry(DateTimeOffset At, string Action, string Version, string? Previous, string? RunId)
{
    /// <summary>Promoted by the training run that registered it (make train).</summary>
    public const string Train = "train";

    /// <summary>Promoted by hand (make promote).</summary>
    public const string Promote = "promote";

    /// <summary>Back to the version promoted before (make rollback).</summary>
    public const string Rollback = "rollback";
}

/// <summary>What a promotion or rollback changed.</summary>
public sealed record Promotion(ModelManifest? Previous, ModelManifest Current, PromotionEntry Entry);
