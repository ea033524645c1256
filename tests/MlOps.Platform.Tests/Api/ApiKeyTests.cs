using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// Every /v1 call needs a valid key in <c>X-Api-Key</c>; the probes do not. The service here accepts two
/// keys, as during a rotation. A refused call gets a 401 problem document and is counted in
/// <c>ml_auth_failures_total</c>; no key ever reaches the logs.
/// </summary>
public sealed class ApiKeyTests(ApiKeyTests.RotatingKeysFactory factory) : IClassFixture<ApiKeyTests.RotatingKeysFactory>
{
    private const string OldKey = ApiFactory.ApiKey;
    private const string NewKey = "test-key-rotated-7f3e9b20c8a1d456";
    private const string WrongKey = "test-key-wrong-00000000000000000";
    private static readonly Uri s_models = new("/v1/models", UriKind.Relative);
    private static readonly Uri s_predict = ServedModelCases.PredictUri(ServedModelCases.Any);

    [Fact]
    public async Task A_call_without_a_key_gets_401_saying_the_key_is_missing()
    {
        var client = await ClientAsync(key: null);

        var response = await client.GetAsync(s_models);

        var problem = await AssertRefusedAsync(response);
        problem["title"]!.GetValue<string>().Should().Be("An API key is required.");
        problem["detail"]!.GetValue<string>().Should().Contain("X-Api-Key");
    }

    [Fact]
    public async Task A_call_with_a_wrong_key_gets_401_saying_the_key_is_invalid_without_echoing_it()
    {
        var client = await ClientAsync(WrongKey);

        var response = await client.PostAsJsonAsync(s_predict, await ExampleAsync());

        var problem = await AssertRefusedAsync(response);
        problem["title"]!.GetValue<string>().Should().Be("The API key is not valid.");
        problem.ToJsonString().Should().NotContain(WrongKey);
    }

    [Theory]
    [InlineData(OldKey)]
    [InlineData(NewKey)]
    public async Task Each_configured_key_is_accepted_so_keys_rotate_without_downtime(string key)
    {
        var client = await ClientAsync(key);

        var list = await client.GetAsync(s_models);
        var predict = await client.PostAsJsonAsync(s_predict, await ExampleAsync());

        list.StatusCode.Should().Be(HttpStatusCode.OK);
        predict.StatusCode.Should().Be(HttpStatusCode.OK, await predict.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task The_probes_answer_without_a_key(string path)
    {
        var client = await ClientAsync(key: null);

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Exactly_the_v1_endpoints_require_the_key_and_the_others_answer_without_one()
    {
        var client = await ClientAsync(key: null);
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var (secured, open) = (
            endpoints.Where(e => e.RoutePattern.RawText!.StartsWith("/v1/", StringComparison.Ordinal)).ToList(),
            endpoints.Where(e => !e.RoutePattern.RawText!.StartsWith("/v1/", StringComparison.Ordinal)).ToList());

        secured.Should().HaveCountGreaterThanOrEqualTo(3).And.OnlyContain(e => ApiKeyAuthentication.RequiresApiKey(e.Metadata));
        open.Select(e => e.RoutePattern.RawText).Should().Contain(["/health/live", "/health/ready"]);
        open.Should().NotContain(e => ApiKeyAuthentication.RequiresApiKey(e.Metadata), "the platform's probes and scrapes carry no key");
        // Every open endpoint without route parameters (probes, metrics) answers a caller with no key.
        foreach (var endpoint in open.Where(e => e.RoutePattern.Parameters.Count == 0))
        {
            var response = await client.GetAsync(new Uri(endpoint.RoutePattern.RawText!, UriKind.Relative));
            response.StatusCode.Should().NotBe(HttpStatusCode.Unauthorized, endpoint.RoutePattern.RawText);
        }
    }

    [Fact]
    public async Task Refused_calls_are_counted_by_reason()
    {
        var missingBefore = await FailuresAsync("missing");
        var invalidBefore = await FailuresAsync("invalid");

        await (await ClientAsync(key: null)).GetAsync(s_models);
        await (await ClientAsync(WrongKey)).GetAsync(s_models);
        await (await ClientAsync(WrongKey)).GetAsync(s_models);
        await (await ClientAsync(OldKey)).GetAsync(s_models);

        (await FailuresAsync("missing")).Should().Be(missingBefore + 1);
        (await FailuresAsync("invalid")).Should().Be(invalidBefore + 2);
    }

    [Fact]
    public async Task No_key_ever_reaches_the_logs()
    {
        foreach (var key in new[] { OldKey, NewKey, WrongKey })
        {
            await (await ClientAsync(key)).PostAsJsonAsync(s_predict, await ExampleAsync());
        }

        SpinWait.SpinUntil(() => factory.Logs.Events.Any(e => e.Properties.TryGetValue("StatusCode", out var status) && status.ToString() == "401"), TimeSpan.FromSeconds(10));
        var events = factory.Logs.Events;
        events.Should().Contain(e => e.Properties.ContainsKey("StatusCode") && e.Properties["StatusCode"].ToString() == "401",
            "the refusal is logged (one request line at Information), so the capture sees what a key could leak into");
        foreach (var key in new[] { OldKey, NewKey, WrongKey })
        {
            events.Where(e => CapturedLogs.Render(e).Contains(key, StringComparison.Ordinal)).Select(CapturedLogs.Render)
                .Should().BeEmpty("an API key is a secret and must never be logged");
        }
    }

    private async Task<HttpClient> ClientAsync(string? key)
    {
        var client = await factory.CreateStartedClientAsync();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    private static async Task<JsonNode> ExampleAsync() => JsonNode.Parse(await File.ReadAllTextAsync(Repository.ExamplePath(ServedModelCases.Any)))!;

    /// <summary>A 401 problem document with the challenge that tells the caller where the key goes.</summary>
    private static async Task<JsonObject> AssertRefusedAsync(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Select(h => h.ToString()).Should().Equal("ApiKey header=\"X-Api-Key\"");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        problem["status"]!.GetValue<int>().Should().Be(401);
        problem["traceId"].Should().NotBeNull("a caller can quote it in a bug report");
        return problem;
    }

    /// <summary>The value of <c>ml_auth_failures_total{reason}</c> in a scrape of the service's /metrics (no key needed).</summary>
    private async Task<double> FailuresAsync(string reason)
    {
        var text = await (await ClientAsync(key: null)).GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var match = Regex.Match(text, $@"^ml_auth_failures_total\{{reason=""{reason}""\}} (\S+)$", RegexOptions.Multiline);
        match.Success.Should().BeTrue($"the counter is exported for reason '{reason}':\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>A service accepting the old and the new key, logging everything into <see cref="Logs"/>.</summary>
    public sealed class RotatingKeysFactory : ApiFactory
    {
        public RotatingKeysFactory()
        {
            ApiKeys = [OldKey, NewKey];
            Settings = new Dictionary<string, string?>
            {
                ["Serilog:MinimumLevel:Default"] = "Verbose",
                ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
            };
        }

        public CapturedLogs Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(Logs));
        }
    }
}

/// <summary>A Serilog sink (picked up from the services) that keeps every event for assertions.</summary>
public sealed class CapturedLogs : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => _events.ToArray();

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>Everything an event would write: message, every property and the exception.</summary>
    public static string Render(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        return string.Join(
            " | ",
            new[] { logEvent.RenderMessage(CultureInfo.InvariantCulture), logEvent.Exception?.ToString() ?? string.Empty }
                .Concat(logEvent.Properties.Select(p => $"{p.Key}={p.Value}")));
    }
}
