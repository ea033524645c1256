using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// A real PostgreSQL server for one test class: a new cluster (<c>initdb</c>) in a temporary folder, started with
/// <c>pg_ctl</c> on a free loopback port, stopped and deleted at the end. Needs Debian's <c>postgresql</c> package
/// (server binaries under <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>); without it the fixture fails, saying so.
/// As root, the server runs as the <c>postgres</c> user (initdb refuses root).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string BinariesRoot = "/usr/lib/postgresql";
    private const string ServiceUser = "postgres";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"mlops-pg-{Guid.NewGuid():N}");
    private string _bin = string.Empty;
    private int _databases;

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    private string DataFolder => Path.Combine(_folder, "data");

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Creates the cluster and starts it.</summary>
    public async Task InitializeAsync()
    {
        _bin = FindBinaries();
        Directory.CreateDirectory(DataFolder);
        if (IsRoot)
        {
            await RunAsync("chown", "-R", $"{ServiceUser}:{ServiceUser}", _folder);
        }

        await RunPostgresAsync("initdb", "-D", DataFolder, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C");
        Port = FreePort();
        await StartAsync();
    }

    /// <summary>Starts the server (again) on <see cref="Port"/>; returns when it accepts connections.</summary>
    public Task StartAsync() =>
        RunPostgresAsync(
            "pg_ctl", "-D", DataFolder, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    /// <summary>Stops the server the way a crash would (<c>pg_ctl -m immediate stop</c>): committed data stays, connections break.</summary>
    public Task StopAsync() => RunPostgresAsync("pg_ctl", "-D", DataFolder, "-m", "immediate", "-w", "stop");

    /// <summary>A new, empty database on the server; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
        {
            await StopAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=10";

    private static string FindBinaries()
    {
        var bin = Directory.Exists(BinariesRoot)
            ? Directory.GetDirectories(BinariesRoot)
                .Select(version => Path.Combine(version, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"These tests need a PostgreSQL server and found no initdb and pg_ctl under {BinariesRoot}/<version>/bin. "
            + "Install Debian's server package: apt-get install postgresql (build/install-test-tools.sh does).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a server binary, as <c>postgres</c> when this process is root.</summary>
    private Task RunPostgresAsync(string tool, params string[] arguments) =>
        IsRoot
            ? RunAsync("runuser", ["-u", ServiceUser, "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_folder, "server.log");
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}"
                + (File.Exists(log) ? $"\nserver log:\n{await File.ReadAllTextAsync(log)}" : string.Empty));
        }
    }
}
