using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serilog.Core;
using Serilog.Events;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// Fail closed: outside Development the service does not start without an API key. In Development
/// (make run) keys are optional, and the service says at start-up that they are off.
/// </summary>
public sealed class ApiKeyStartupTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Outside_development_the_service_refuses_to_start_without_a_key(string environment)
    {
        await using var app = BuildService(environment, keys: []);

        var start = () => app.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should()
            .Contain("No API key is configured").And.Contain("Auth__ApiKeys__0");
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task A_key_too_short_to_be_safe_is_refused_at_start_without_being_shown(string environment)
    {
        await using var app = BuildService(environment, keys: ["short-key"]);

        var start = () => app.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should()
            .Contain("Auth:ApiKeys:0 is shorter than 16 characters").And.NotContain("short-key");
    }

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaa")]
    [InlineData("abababababababababab")]
    public async Task A_long_key_of_few_different_characters_is_refused_at_start_without_being_shown(string key)
    {
        await using var app = BuildService("Production", keys: [key]);

        var start = () => app.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should()
            .Contain("Auth:ApiKeys:0 has fewer than 6 different characters").And.NotContain(key);
    }

    [Fact]
    public async Task In_development_without_a_key_the_service_serves_and_warns_once()
    {
        var logs = new CapturedLogs();
        using var factory = new ApiFactory { ApiKeys = [] }.WithWebHostBuilder(
            b => b.ConfigureServices(services => services.AddSingleton<ILogEventSink>(logs)));
        var client = await StartedAsync(factory);

        var response = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        logs.Events.Where(e => e.Level == LogEventLevel.Warning).Select(e => e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture))
            .Should().ContainSingle(m => m.StartsWith("API keys are off in Development", StringComparison.Ordinal));
    }

    [Fact]
    public void No_key_is_committed_in_the_settings_files()
    {
        var files = Directory.GetFiles(Path.Combine(Repository.Root, "src"), "appsettings*.json", SearchOption.AllDirectories);
        files.Should().NotBeEmpty();
        foreach (var file in files)
        {
            var settings = new ConfigurationBuilder().AddJsonFile(file).Build();
            settings.GetSection("Auth:ApiKeys").GetChildren().Should().BeEmpty($"{file} is committed: keys come from the environment");
        }
    }

    /// <summary>
    /// A host with the API-key registration of Program.cs and exactly <paramref name="keys"/> configured.
    /// (Built here rather than through WebApplicationFactory, which can hide a start-up exception behind
    /// an ObjectDisposedException; the pack's end-to-end tests start the real process without a key.)
    /// </summary>
    private static WebApplication BuildService(string environment, IReadOnlyList<string> keys)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(
            Enumerable.Range(0, 10).Select(i => KeyValuePair.Create($"Auth:ApiKeys:{i}", i < keys.Count ? keys[i] : null)));
        builder.AddApiKeyAuthentication();
        return builder.Build();
    }

    private static async Task<HttpClient> StartedAsync(WebApplicationFactory<Program> factory)
    {
        var client = factory.CreateClient();
        (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        return client;
    }
}
