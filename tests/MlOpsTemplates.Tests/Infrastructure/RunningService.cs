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
    /// </summary>
    public static async Task<RunningService> StartAsync(GeneratedRepo repo, string modelPath, TimeSpan readyTimeout)
    {
        var assembly = repo.BuiltAssembly("Api");
        File.Exists(assembly).Should().BeTrue($"the API must have been built to {assembly}");
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var spec = DotNetCli.Spec(
            Path.GetDirectoryName(assembly)!,
            [assembly, "--urls", url],
            new Dictionary<string, string?>(ServiceAuth.Environment(repo.Scenario))
            {
                ["Model__Path"] = modelPath,
                // Serve as deployed, whatever the developer's shell says.
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = null,
            });
        var process = BackgroundProcess.Start(spec, repo.Log("api"));
        var client = ServiceAuth.Authorize(new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) }, repo.Scenario);
        try
        {
            var timeToReady = await HttpPolling.WaitForStatusAsync(client, "/health/ready", HttpStatusCode.OK, readyTimeout, process);
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
