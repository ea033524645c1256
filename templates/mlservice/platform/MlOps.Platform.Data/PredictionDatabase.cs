using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MlOps.Platform.Data.Schema;
using Npgsql;

namespace MlOps.Platform.Data;

/// <summary>The prediction log's database: creates its contexts and applies its migrations.</summary>
public sealed class PredictionDatabase
{
    private readonly DbContextOptions _options;
    private readonly string _connectionString;

    /// <summary>A database of <paramref name="provider"/> at <paramref name="connectionString"/>.</summary>
    public PredictionDatabase(PredictionStore provider, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Provider = provider;
        _connectionString = connectionString;
        // Built once: building context options is the expensive part of a context.
        _options = provider switch
        {
            PredictionStore.Sqlite => new DbContextOptionsBuilder<SqlitePredictionDbContext>().UseSqlite(connectionString).Options,
            PredictionStore.Postgres => new DbContextOptionsBuilder<PostgresPredictionDbContext>().UseNpgsql(connectionString).Options,
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a prediction store."),
        };
    }

    /// <summary>The database of the configured <see cref="PredictionLogOptions"/>.</summary>
    public PredictionDatabase(Microsoft.Extensions.Options.IOptions<PredictionLogOptions> options)
        : this(options?.Value.Provider ?? throw new ArgumentNullException(nameof(options)), options.Value.ConnectionString!)
    {
    }

    /// <summary>The provider.</summary>
    public PredictionStore Provider { get; }

    /// <summary>The connection string, for the plain ADO.NET writes of <see cref="PredictionRows"/>; never log it.</summary>
    internal string ConnectionString => _connectionString;

    /// <summary>A new context (dispose it): the provider's, with the same schema.</summary>
    public PredictionDbContext CreateContext() => Provider == PredictionStore.Sqlite
        ? new SqlitePredictionDbContext((DbContextOptions<SqlitePredictionDbContext>)_options)
        : new PostgresPredictionDbContext((DbContextOptions<PostgresPredictionDbContext>)_options);

    /// <summary>
    /// Closes the pooled idle connections to this database. After a failure they may be dead (a restarted server
    /// drops them), and each would fail one more write before the pool found out.
    /// </summary>
    public void ClearPool()
    {
        if (Provider == PredictionStore.Sqlite)
        {
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }
        else
        {
            using var connection = new NpgsqlConnection(_connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    /// <summary>Applies the migrations the database does not have yet, creating it (a SQLite file) when needed.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (Provider == PredictionStore.Sqlite)
        {
            SqliteFile.EnsureFolder(_connectionString);
        }

        await using var context = CreateContext();
        await context.Database.MigrateAsync(cancellationToken);
    }
}
