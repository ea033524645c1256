using System.Net;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>A generated repo's built API, started as a real process on a free loopback port.</summary>
public sealed class RunningService : IAsyncDisposable
{
    private RunningService(BackgroundProcess process, HttpClient client, TimeSpan timeToReady)
    {
        Process = process;
        Client = client;
        TimeToReady = timeToReady;
    }

    public BackgroundProcess Process { get; }

    public HttpClient Client { get; }

    public TimeSpan TimeToReady { get; }

    /// <summary>
    /// Starts `dotnet &lt;Api.dll&gt; --urls ...` from its output folder (as a container would) and waits for readiness.
    /// A service that requires an API key gets <see cref="ServiceAuth.TestKey"/>, and <see cref="Client"/> sends it.
    /// Every model is served from <c>&lt;modelsDirectory&gt;/&lt;name&gt;/model.zip</c> (<c>Model:Directory</c>);
    /// <paramref name="settings"/> adds or overrides environment variables (e.g. <c>Model__Paths__fraud</c>).
    /// With <paramref name="waitForReady"/> false it only waits for /health/live (a model may be missing on purpose).
    /// </summary>
    public static async Task<RunningService> StartAsync(
        GeneratedRepo repo,
        string modelsDirectory,
        TimeSpan readyTimeout,
        IReadOnlyDictionary<string, string?>? settings = null,
        bool waitForReady = true,
        string logName = "api")
    {
        var assembly = repo.BuiltAssembly("Api");
        File.Exists(assembly).Should().BeTrue($"the API must have been built to {assembly}");
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var environment = new Dictionary<string, string?>(ServiceAuth.Environment(repo.Scenario))
        {
            ["Model__Directory"] = modelsDirectory,
            // Serve as deployed, whatever the developer's shell says.
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = null,
        };
        foreach (var (key, value) in await ServiceDatabase.EnvironmentAsync(repo.Scenario))
        {
            environment[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var spec = DotNetCli.Spec(Path.GetDirectoryName(assembly)!, [assembly, "--urls", url], environment);
        var process = BackgroundProcess.Start(spec, repo.Log(logName));
        var client = ServiceAuth.Authorize(new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) }, repo.Scenario);
        try
        {
            var timeToReady = await HttpPolling.WaitForStatusAsync(client, waitForReady ? "/health/ready" : "/health/live", HttpStatusCode.OK, readyTimeout, process);
            return new RunningService(process, client, timeToReady);
        }
        catch
        {
            client.Dispose();
            await process.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
    }
}
