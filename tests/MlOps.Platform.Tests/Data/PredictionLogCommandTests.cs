using Microsoft.Extensions.DependencyInjection;
using MlOps.Platform.Data;
using MlOps.Platform.Data.Schema;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// The maintenance commands the service's program runs with its own configuration (make db-migrate, export-feedback,
/// db-prune, the retention CronJob), on each database: each does its work and says what it did; bad arguments and an
/// unusable database are refused with the reason and exit code 1.
/// </summary>
[Collection(LabelledTrafficServer.Name)]
public sealed class PredictionLogCommandTests(PostgresServer postgres) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-commands-").FullName;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrate_export_and_prune_run_against_the_configured_database_and_say_what_they_did(PredictionStore provider)
    {
        using var database = await TestDatabase.CreateAsync(provider, postgres);
        var services = new ServiceCollection().AddSingleton(database.Database).BuildServiceProvider();

        var migrated = await RunAsync(services, "db-migrate");
        var again = await RunAsync(services, "db-migrate");

        migrated.Should().Be((0, $"Applied 1 migration(s) to the prediction log's {provider} database: {MigrationName(provider)}.", string.Empty));
        again.Should().Be((0, $"The prediction log's {provider} database is up to date.", string.Empty));

        var model = ServedModelCases.Any;
        var now = DateTime.UtcNow;
        var samples = LabelledTraffic.Samples(model, 12);
        var recent = samples.Select((s, i) => LabelledTraffic.Prediction(model.Name, now.AddMinutes(-i), "{}", s.Instance.ToJsonString())).ToList();
        var old = Enumerable.Range(0, 5).Select(i => LabelledTraffic.Prediction(model.Name, now.AddDays(-100).AddMinutes(i), "{}")).ToList();
        await LabelledTraffic.AddAsync(
            database,
            [.. recent, .. old],
            recent.Take(10).Select((p, i) => LabelledTraffic.Feedback(p.Id, LabelledTraffic.TruthOf(model, samples[i].Labelled), now)));
        // A relative --output is under --root (make passes the repository's folder; the service runs in its project's).
        var relative = Path.Combine(provider.ToString(), $"{model.Name}.csv");
        var csv = Path.Combine(_folder, relative);

        var exported = await RunAsync(services, "export-feedback", "--model", model.Name, "--output", relative, "--root", _folder);

        exported.Code.Should().Be(0, exported.Error);
        exported.Output.Should().StartWith($"Wrote 10 labelled prediction(s) of model {model.Name} to {relative}; left out 0");
        TrainingData.Load(model, csv).Should().HaveCount(10, "the export is the model's training data");

        var pruned = await RunAsync(services, "db-prune", "--older-than-days", "90");

        pruned.Code.Should().Be(0, pruned.Error);
        pruned.Output.Should().StartWith("Deleted 5 prediction(s) made before ").And.EndWith("(90 days ago), with their feedback.");
        (await database.PredictionsAsync()).Select(p => p.Id).Should().BeEquivalentTo(recent.Select(p => p.Id));
    }

    [Theory]
    [InlineData("no model", "export-feedback --output x.csv", "--model is required:")]
    [InlineData("unknown model", "export-feedback --model nosuchmodel --output x.csv", "no model 'nosuchmodel' in this service; its models are ")]
    [InlineData("bad date", "export-feedback --model {model} --output x.csv --since 12/01/2026", "--since must be a date as YYYY-MM-DD, got '12/01/2026'.")]
    [InlineData("no age", "db-prune", "--older-than-days is required.")]
    [InlineData("zero days", "db-prune --older-than-days 0", "--older-than-days must be a whole number of days, at least 1, got '0'.")]
    [InlineData("negative days", "db-prune --older-than-days -5", "--older-than-days must be a whole number of days, at least 1, got '-5'.")]
    [InlineData("option without value", "db-prune --older-than-days", "'--older-than-days' is not an option with a value.")]
    public async Task Bad_arguments_are_refused_with_the_reason_and_touch_nothing(string why, string command, string message)
    {
        var services = new ServiceCollection()
            .AddSingleton(new PredictionDatabase(PredictionStore.Sqlite, $"Data Source={Path.Combine(_folder, "never-created.db")}"))
            .BuildServiceProvider();

        var result = await RunAsync(services, [.. command.Replace("{model}", ServedModelCases.Any.Name, StringComparison.Ordinal).Split(' ')]);

        result.Code.Should().Be(1, why);
        result.Error.Should().StartWith($"error: {message}", why);
        File.Exists(Path.Combine(_folder, "never-created.db")).Should().BeFalse("a refused command does not open the database");
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_is_refused_with_its_reason()
    {
        // A folder where the SQLite file should be: the database cannot be created or opened.
        var blocked = Directory.CreateDirectory(Path.Combine(_folder, "blocked.db")).FullName;
        var services = new ServiceCollection().AddSingleton(new PredictionDatabase(PredictionStore.Sqlite, $"Data Source={blocked}")).BuildServiceProvider();

        var result = await RunAsync(services, "db-prune", "--older-than-days", "30");

        result.Code.Should().Be(1);
        result.Error.Should().StartWith("error: the prediction log's Sqlite database cannot be used: ");
    }

    [Fact]
    public void Only_the_log_commands_are_taken_from_the_service_arguments()
    {
        PredictionLogCommands.IsCommand(["db-migrate"]).Should().BeTrue();
        PredictionLogCommands.IsCommand(["db-prune", "--older-than-days", "30"]).Should().BeTrue();
        PredictionLogCommands.IsCommand(["--urls", "http://localhost:5000"]).Should().BeFalse("the service's own arguments start it");
        PredictionLogCommands.IsCommand([]).Should().BeFalse();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string MigrationName(PredictionStore provider)
    {
        using var context = new PredictionDatabase(provider, provider == PredictionStore.Sqlite ? "Data Source=:memory:" : "Host=127.0.0.1").CreateContext();
        return Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetMigrations(context.Database).Single();
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(IServiceProvider services, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PredictionLogCommands.RunAsync(args, services, output, error);
        return (code, output.ToString().Trim(), error.ToString().Trim());
    }
}
