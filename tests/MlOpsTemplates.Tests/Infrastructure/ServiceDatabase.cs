using MlOps.Platform.Tests.Data;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// The prediction log's database of a generated service that a test runs as a process, by the scenario's
/// <c>--database</c>: a SQLite file of its own (not the one beside the build output, which every process of the repo
/// would share), a new database on the run's one PostgreSQL server (<see cref="Postgres"/>), or nothing.
/// </summary>
public static class ServiceDatabase
{
    public const string ConnectionVariable = "ConnectionStrings__Predictions";

    private static readonly Lazy<Task<PostgresServer>> s_postgres = new(StartPostgresAsync);

    /// <summary>The scenario's <c>--database</c>, its default included.</summary>
    public static string Kind(Scenario scenario) => (scenario ?? throw new ArgumentNullException(nameof(scenario))).OptionValue("--database") ?? "sqlite";

    /// <summary>The PostgreSQL server of this test run, started on first use and stopped when the run ends.</summary>
    public static Task<PostgresServer> Postgres => s_postgres.Value;

    /// <summary>A new empty database for one service of the scenario: its connection string, or null without a log.</summary>
    public static async Task<string?> NewAsync(Scenario scenario) => Kind(scenario) switch
    {
        "none" => null,
        "postgres" => await (await Postgres).CreateDatabaseAsync(),
        _ => $"Data Source={Path.Combine(Path.GetTempPath(), $"mlops-pack-predictions-{Guid.NewGuid():N}.db")}",
    };

    /// <summary>The environment that points a service of the scenario at a new empty database of its own.</summary>
    public static async Task<IEnumerable<KeyValuePair<string, string?>>> EnvironmentAsync(Scenario scenario) =>
        await NewAsync(scenario) is { } connection ? [KeyValuePair.Create(ConnectionVariable, (string?)connection)] : [];

    private static async Task<PostgresServer> StartPostgresAsync()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().GetAwaiter().GetResult();
        return server;
    }
}
