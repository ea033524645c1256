using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace MlOps.Platform.Data;

/// <summary>
/// The prediction log's maintenance commands, run by the service's own program with its own configuration (the same
/// connection string, the same models), so a make target, a deployment step and a Kubernetes CronJob all use the
/// image as it is: <c>db-migrate</c>, <c>export-feedback [--model NAME] [--output FILE.csv] [--since YYYY-MM-DD] [--root DIR]</c> and
/// <c>db-prune --older-than-days N</c>. In <c>Program.cs</c>, after <c>Build()</c>:
/// <c>if (PredictionLogCommands.IsCommand(args)) return await PredictionLogCommands.RunAsync(args, app.Services, Console.Out, Console.Error);</c>
/// </summary>
public static class PredictionLogCommands
{
    /// <summary>The commands, as the first argument names them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["db-migrate", "export-feedback", "db-prune"];

    /// <summary>The usage of every command.</summary>
    public const string Usage =
        "usage: db-migrate | export-feedback [--model NAME] [--output FILE.csv] [--since YYYY-MM-DD] [--root DIR] | db-prune --older-than-days N";

    /// <summary>Whether <paramref name="args"/> start with one of <see cref="Names"/>.</summary>
    public static bool IsCommand(IReadOnlyList<string> args) => args is [var first, ..] && Names.Contains(first, StringComparer.Ordinal);

    /// <summary>
    /// Runs the command <paramref name="args"/> name with the log's <see cref="PredictionDatabase"/> from
    /// <paramref name="services"/> and the models of <see cref="ModelCatalog"/>: 0 when it did its work, 1 for bad
    /// arguments or an unreachable database (the reason on <paramref name="error"/>).
    /// </summary>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var database = services.GetRequiredService<PredictionDatabase>();
        try
        {
            var options = Options(args);
            switch (args[0])
            {
                case "db-migrate":
                    await MigrateAsync(database, output, cancellationToken);
                    break;
                case "export-feedback":
                    await ExportAsync(database, options, output, cancellationToken);
                    break;
                case "db-prune":
                    await PruneAsync(database, options, services.GetService<TimeProvider>() ?? TimeProvider.System, output, cancellationToken);
                    break;
                default:
                    throw new ArgumentException($"unknown command '{args[0]}'. {Usage}");
            }

            return 0;
        }
        catch (ArgumentException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or InvalidOperationException or TimeoutException)
        {
            error.WriteLine($"error: the prediction log's {database.Provider} database cannot be used: {ex.Message}");
            return 1;
        }
    }

    private static async Task MigrateAsync(PredictionDatabase database, TextWriter output, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await database.MigrateAsync(cancellationToken);
        output.WriteLine(pending.Count == 0
            ? $"The prediction log's {database.Provider} database is up to date."
            : $"Applied {pending.Count} migration(s) to the prediction log's {database.Provider} database: {string.Join(", ", pending)}.");
    }

    private static async Task ExportAsync(PredictionDatabase database, Dictionary<string, string> options, TextWriter output, CancellationToken cancellationToken)
    {
        var name = options.TryGetValue("--model", out var given) && given.Length > 0 ? given
            : ModelCatalog.Names is [var only] ? only
            : throw new ArgumentException($"--model is required: this service has models {string.Join(", ", ModelCatalog.Names)}. {Usage}");
        var model = ModelCatalog.Find(name)
            ?? throw new ArgumentException($"no model '{name}' in this service; its models are {string.Join(", ", ModelCatalog.Names)}.");
        // Real traffic is personal data: by default it goes where git and the image never look.
        var shown = options.TryGetValue("--output", out var file) && file.Length > 0 ? file : Path.Combine("artifacts", "feedback", $"{name}.csv");
        // `dotnet run` of the service runs in its project's folder: make passes the repository's as --root.
        var path = options.TryGetValue("--root", out var root) && root.Length > 0 ? Path.Combine(root, shown) : shown;
        DateTimeOffset? since = options.TryGetValue("--since", out var text)
            ? DateTimeOffset.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var day) ? day
                : throw new ArgumentException($"--since must be a date as YYYY-MM-DD, got '{text}'.")
            : null;
        var counts = await PredictionExport.WriteTrainingCsvAsync(model, database, path, since, cancellationToken);
        output.WriteLine(
            $"Wrote {counts.Written} labelled prediction(s) of model {name} to {shown}{(since is { } from ? $" (since {from:yyyy-MM-dd})" : string.Empty)}; "
            + $"left out {counts.Skipped}: {counts.InputsHashed} with hashed inputs, {counts.InputsOmitted} without inputs, "
            + $"{counts.TruthInvalid} whose truth and {counts.InputsInvalid} whose inputs no longer fit the model. "
            + $"Train on it: make train MODEL={name} ARGS=\"--data {shown}\"");
    }

    private static async Task PruneAsync(
        PredictionDatabase database, Dictionary<string, string> options, TimeProvider time, TextWriter output, CancellationToken cancellationToken)
    {
        var text = Required(options, "--older-than-days");
        var days = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= 1
            ? parsed
            : throw new ArgumentException($"--older-than-days must be a whole number of days, at least 1, got '{text}'.");
        var cutoff = time.GetUtcNow().AddDays(-days);
        var deleted = await PredictionRetention.PruneAsync(database, cutoff, cancellationToken: cancellationToken);
        output.WriteLine($"Deleted {deleted} prediction(s) made before {cutoff:u} ({days} days ago), with their feedback.");
    }

    private static Dictionary<string, string> Options(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"'{args[i]}' is not an option with a value. {Usage}");
            }

            options[args[i]] = args[i + 1];
        }

        return options;
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new ArgumentException($"{name} is required. {Usage}");
}
