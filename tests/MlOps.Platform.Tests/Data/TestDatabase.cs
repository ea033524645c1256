using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MlOps.Platform.Data;
using MlOps.Platform.Data.Schema;

namespace MlOps.Platform.Tests.Data;

/// <summary>An empty database of one provider for one test: a temporary SQLite file, or a new database on the class's <see cref="PostgresServer"/>.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly string? _file;

    private TestDatabase(PredictionStore provider, string connectionString, string? file)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Database = new PredictionDatabase(provider, connectionString);
        _file = file;
    }

    /// <summary>Both providers, for theories.</summary>
    public static TheoryData<PredictionStore> Providers => [PredictionStore.Sqlite, PredictionStore.Postgres];

    public PredictionStore Provider { get; }

    public string ConnectionString { get; }

    public PredictionDatabase Database { get; }

    /// <summary>The settings that point the service's prediction log at this database.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["PredictionLog:Provider"] = Provider.ToString().ToLowerInvariant(),
        ["ConnectionStrings:Predictions"] = ConnectionString,
    };

    /// <summary>A new empty database of <paramref name="provider"/>.</summary>
    public static async Task<TestDatabase> CreateAsync(PredictionStore provider, PostgresServer postgres)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        if (provider == PredictionStore.Postgres)
        {
            return new TestDatabase(provider, await postgres.CreateDatabaseAsync(), null);
        }

        var file = Path.Combine(Path.GetTempPath(), $"mlops-predictions-{Guid.NewGuid():N}.db");
        return new TestDatabase(provider, $"Data Source={file}", file);
    }

    /// <summary>A new empty database with the migrations applied.</summary>
    public static async Task<TestDatabase> MigratedAsync(PredictionStore provider, PostgresServer postgres)
    {
        var database = await CreateAsync(provider, postgres);
        await database.Database.MigrateAsync();
        return database;
    }

    /// <summary>Every prediction row.</summary>
    public async Task<List<PredictionRecord>> PredictionsAsync()
    {
        await using var context = Database.CreateContext();
        return await context.Predictions.AsNoTracking().ToListAsync();
    }

    /// <summary>Every feedback row.</summary>
    public async Task<List<FeedbackRecord>> FeedbackAsync()
    {
        await using var context = Database.CreateContext();
        return await context.Feedback.AsNoTracking().ToListAsync();
    }

    /// <summary>Waits until every migration is applied (by the service, in the background); fails after 30 s.</summary>
    public async Task WaitForMigrationsAsync()
    {
        await using var context = Database.CreateContext();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await context.Database.GetPendingMigrationsAsync()).Any())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the service migrates the database when it starts");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the predictions with <paramref name="ids"/> are written (the log writes in the background); fails after 30 s.</summary>
    public async Task<List<PredictionRecord>> WaitForPredictionsAsync(IReadOnlyCollection<Guid> ids)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var found = (await PredictionsAsync()).Where(p => ids.Contains(p.Id)).ToList();
            if (found.Count == ids.Count || DateTime.UtcNow > deadline)
            {
                found.Select(p => p.Id).Should().BeEquivalentTo(ids, "every prediction given an id is written once the database answers");
                return found;
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        if (_file is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { _file, $"{_file}-journal", $"{_file}-wal", $"{_file}-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
