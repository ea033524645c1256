using System.Net;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// The Release build of a generated API started as a real process on a free loopback port, in Production,
/// with the test API key (when the scenario requires keys) and any extra settings (e.g. <c>Limits__QueueLength</c>).
/// </summary>
public sealed class ReleaseService : IAsyncDisposable
{
    private ReleaseService(BackgroundProcess process, Uri address, HttpClient client)
    {
        Process = process;
        Address = address;
        Client = client;
    }

    public BackgroundProcess Process { get; }

    public Uri Address { get; }

    /// <summary>Sends the API key, when the service requires one.</summary>
    public HttpClient Client { get; }

    /// <summary>
    /// Starts the service, serving every model from <c>&lt;modelsDirectory&gt;/&lt;name&gt;/model.zip</c>
    /// (<c>Model:Directory</c>), and waits until GET /health/live answers (the models may still be loading).
    /// </summary>
    public static async Task<ReleaseService> StartAsync(
        ReleaseRepo repo, string modelsDirectory, IReadOnlyDictionary<string, string?>? settings = null, string logName = "api")
    {
        File.Exists(repo.ApiAssembly).Should().BeTrue($"the API must have been built to {repo.ApiAssembly}");
        var address = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var environment = new Dictionary<string, string?>(ServiceAuth.Environment(repo.Scenario))
        {
            ["Model__Directory"] = modelsDirectory,
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

        var spec = DotNetCli.Spec(Path.GetDirectoryName(repo.ApiAssembly)!, [repo.ApiAssembly, "--urls", address.ToString().TrimEnd('/')], environment);
        var process = BackgroundProcess.Start(spec, repo.Log(logName));
        var client = ServiceAuth.Authorize(new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) }, repo.Scenario);
        var service = new ReleaseService(process, address, client);
        try
        {
            await HttpPolling.WaitForStatusAsync(client, "/health/live", HttpStatusCode.OK, TimeSpan.FromSeconds(60), process);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    public Task<TimeSpan> WaitForReadinessAsync(HttpStatusCode expected, TimeSpan timeout) =>
        HttpPolling.WaitForStatusAsync(Client, "/health/ready", expected, timeout, Process);

    /// <summary>The service's log lines so far (one JSON object per line in Production).</summary>
    public IReadOnlyList<string> LogLines =>
        Process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
    }
}
