using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog.Core;
using Serilog.Events;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// What keeps the service up under heavy or hostile traffic: load shedding with a bounded queue, request
/// timeouts, forwarded headers from trusted proxies only, and readiness that turns 503 on shutdown.
/// A prediction in progress is stood for by a slot the test takes; a slow client by a body that arrives only when the
/// test says so.
/// </summary>
public sealed class ServiceProtectionTests
{
    private const string TrustedProxy = "127.0.0.1";
    private const string Client = "203.0.113.7";
    private const string OtherClient = "203.0.113.8";

    private static readonly string s_predictPath = ServedModelCases.PredictUri(ServedModelCases.Any).OriginalString;

    [Fact]
    public async Task At_capacity_a_request_is_shed_at_once_with_503_and_retry_after_while_probes_and_metrics_answer()
    {
        using var factory = Factory(new() { ["Limits:MaxConcurrentRequests"] = "1", ["Limits:QueueLength"] = "0", ["Limits:RetryAfterSeconds"] = "3" });
        var client = await factory.CreateStartedClientAsync();
        var example = await File.ReadAllBytesAsync(Repository.ExamplePath(ServedModelCases.Any));
        var held = await HoldSlotAsync(factory, TrustedProxy);

        var shed = await SendAsync(factory, HttpMethods.Post, s_predictPath, TrustedProxy, body: new HeldBody(example, release: true));
        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        held.Dispose();
        var served = await SendAsync(factory, HttpMethods.Post, s_predictPath, TrustedProxy, body: new HeldBody(example, release: true));

        shed.Response.StatusCode.Should().Be(StatusCodes.Status503ServiceUnavailable);
        shed.Response.Headers.RetryAfter.ToString().Should().Be("3");
        shed.Response.ContentType.Should().StartWith("application/problem+json");
        (await ProblemAsync(shed))["detail"]!.GetValue<string>().Should().Contain("at most 1 in progress");
        ready.StatusCode.Should().Be(HttpStatusCode.OK, "the limits never apply to the probes");
        live.StatusCode.Should().Be(HttpStatusCode.OK);
        metrics.Should().Contain("ml_requests_shed_total 1");
        served.Response.StatusCode.Should().Be(StatusCodes.Status200OK, "the freed slot serves the next request");
    }

    [Fact]
    public async Task A_request_that_waits_in_the_queue_is_served_when_a_slot_frees()
    {
        using var factory = Factory(new() { ["Limits:MaxConcurrentRequests"] = "1", ["Limits:QueueLength"] = "1" });
        await factory.CreateStartedClientAsync();
        var held = await HoldSlotAsync(factory, TrustedProxy);

        var queued = SendAsync(factory, HttpMethods.Post, s_predictPath, TrustedProxy,
            body: new HeldBody(await File.ReadAllBytesAsync(Repository.ExamplePath(ServedModelCases.Any)), release: true));
        await Task.Delay(200);
        queued.IsCompleted.Should().BeFalse("the second request waits for the slot instead of being refused");
        held.Dispose();

        (await queued).Response.StatusCode.Should().Be(StatusCodes.Status200OK);
    }

    [Fact]
    public async Task Time_waiting_in_the_queue_counts_toward_the_request_timeout()
    {
        using var factory = Factory(new() { ["Limits:MaxConcurrentRequests"] = "1", ["Limits:QueueLength"] = "1", ["Limits:RequestTimeoutSeconds"] = "1" });
        await factory.CreateStartedClientAsync();
        using var held = await HoldSlotAsync(factory, TrustedProxy);

        var queued = await SendAsync(factory, HttpMethods.Post, s_predictPath, TrustedProxy,
            body: new HeldBody(await File.ReadAllBytesAsync(Repository.ExamplePath(ServedModelCases.Any)), release: true)).WaitAsync(TimeSpan.FromSeconds(20));

        queued.Response.StatusCode.Should().Be(StatusCodes.Status408RequestTimeout, "a request that waited its whole timeout in the queue is ended");
        (await ProblemAsync(queued))["detail"]!.GetValue<string>().Should().Contain("timeout of 1 s");
    }

    [Fact]
    public async Task A_client_still_sending_its_body_holds_no_slot()
    {
        // One slot and a queue of one: were the slow body holding the slot, the other request would wait in
        // the queue behind it and time out here. The queue also lets the slow request wait out the instant
        // between the other's response reaching the client and its slot being given back.
        using var factory = Factory(new() { ["Limits:MaxConcurrentRequests"] = "1", ["Limits:QueueLength"] = "1" });
        await factory.CreateStartedClientAsync();
        var held = new HeldBody(await File.ReadAllBytesAsync(Repository.ExamplePath(ServedModelCases.Any)));
        var slow = SendAsync(factory, HttpMethods.Post, s_predictPath, TrustedProxy, body: held);
        await held.Started.WaitAsync(TimeSpan.FromSeconds(10));

        var other = await SendAsync(factory, HttpMethods.Post, s_predictPath, TrustedProxy, body: new HeldBody(held.Content, release: true))
            .WaitAsync(TimeSpan.FromSeconds(10));
        held.Release();

        other.Response.StatusCode.Should().Be(StatusCodes.Status200OK, "the only slot is free while the slow body arrives");
        (await slow).Response.StatusCode.Should().Be(StatusCodes.Status200OK, "the slow request is served once its body is in");
    }

    [Fact]
    public async Task A_request_whose_body_stalls_is_ended_with_a_408_problem_and_frees_its_slot()
    {
        using var factory = Factory(new() { ["Limits:RequestTimeoutSeconds"] = "1", ["Limits:MaxConcurrentRequests"] = "1", ["Limits:QueueLength"] = "0" });
        await factory.CreateStartedClientAsync();
        var held = new HeldBody(await File.ReadAllBytesAsync(Repository.ExamplePath(ServedModelCases.Any)));

        var stuck = await SendAsync(factory, HttpMethods.Post, s_predictPath, TrustedProxy, body: held).WaitAsync(TimeSpan.FromSeconds(20));
        var next = await SendAsync(factory, HttpMethods.Post, s_predictPath, TrustedProxy, body: new HeldBody(held.Content, release: true));
        held.Release();

        stuck.Response.StatusCode.Should().Be(StatusCodes.Status408RequestTimeout);
        stuck.Response.ContentType.Should().StartWith("application/problem+json");
        (await ProblemAsync(stuck))["detail"]!.GetValue<string>().Should().Contain("timeout of 1 s");
        next.Response.StatusCode.Should().Be(StatusCodes.Status200OK, "the timed-out request gave its slot back");
    }

    [Fact]
    public async Task Forwarded_client_addresses_are_believed_from_trusted_proxies_only()
    {
        var logs = new RequestLogs();
        using var factory = Factory(new() { ["Serilog:MinimumLevel:Default"] = "Debug" }, logs);
        await factory.CreateStartedClientAsync();
        await StartAndStopAnotherServiceAsync();

        await SendAsync(factory, HttpMethods.Get, "/via-loopback-proxy", TrustedProxy, forwardedFor: Client);
        await SendAsync(factory, HttpMethods.Get, "/via-unknown-proxy", "198.51.100.20", forwardedFor: Client);

        logs.ClientAddressOf("/via-loopback-proxy").Should().Be(Client, "loopback is a trusted proxy by default");
        logs.ClientAddressOf("/via-unknown-proxy").Should().Be("198.51.100.20", "a header from an untrusted address is ignored");
    }

    [Fact]
    public async Task Configured_proxy_networks_are_trusted_and_each_forwarded_client_has_its_own_limit()
    {
        var logs = new RequestLogs();
        using var factory = Factory(
            new()
            {
                ["Serilog:MinimumLevel:Default"] = "Debug",
                ["ForwardedHeaders:KnownNetworks:0"] = "10.244.0.0/16",
                ["Limits:MaxConcurrentRequestsPerClient"] = "1",
            },
            logs);
        await factory.CreateStartedClientAsync();
        var example = await File.ReadAllBytesAsync(Repository.ExamplePath(ServedModelCases.Any));
        using var held = await HoldSlotAsync(factory, Client);

        var sameClient = await SendAsync(factory, HttpMethods.Post, s_predictPath, "10.244.3.9", Client, new HeldBody(example, release: true));
        var otherClient = await SendAsync(factory, HttpMethods.Post, s_predictPath, "10.244.7.1", OtherClient, new HeldBody(example, release: true));

        sameClient.Response.StatusCode.Should().Be(StatusCodes.Status503ServiceUnavailable, "the client already has a request in progress");
        otherClient.Response.StatusCode.Should().Be(StatusCodes.Status200OK, "another client behind the same ingress is not affected");
        logs.ClientAddressOf(s_predictPath).Should().BeOneOf(Client, OtherClient);
    }

    [Fact]
    public async Task On_shutdown_readiness_turns_503_while_the_service_still_answers()
    {
        using var factory = Factory([]);
        var client = await factory.CreateStartedClientAsync();

        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));

        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).Should().Contain("shutting down");
        live.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("Limits:MaxConcurrentRequests", "0", "MaxConcurrentRequests")]
    [InlineData("Limits:RequestTimeoutSeconds", "-1", "RequestTimeoutSeconds")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "not-an-address", "KnownProxies")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/99", "KnownNetworks")]
    public async Task Invalid_limits_or_proxies_stop_the_service_at_start(string key, string value, string named)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Configuration[key] = value;
        builder.AddServiceProtections();
        await using var app = builder.Build();

        var start = () => app.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(named);
    }

    /// <summary>
    /// What a parallel test run does all the time: another service in the same process starts and stops.
    /// Each service must keep logging on its own logger, not on process-wide state the other one tears down.
    /// </summary>
    private static async Task StartAndStopAnotherServiceAsync()
    {
        using var other = new ApiFactory();
        await other.CreateStartedClientAsync();
    }

    private static ApiFactory Factory(Dictionary<string, string?> settings, RequestLogs? logs = null) =>
        logs is null ? new ApiFactory { Settings = settings } : new LoggingApiFactory(logs) { Settings = settings };

    /// <summary>One request through the in-memory server, from <paramref name="remote"/> as the connection's address.</summary>
    private static async Task<Sent> SendAsync(
        ApiFactory factory, string method, string path, string remote, string? forwardedFor = null, HeldBody? body = null)
    {
        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = path;
            c.Connection.RemoteIpAddress = IPAddress.Parse(remote);
#if (ApiKeyAuth)
            c.Request.Headers["X-Api-Key"] = ApiFactory.ApiKey;
#endif
            if (forwardedFor is not null)
            {
                c.Request.Headers["X-Forwarded-For"] = forwardedFor;
            }

            if (body is not null)
            {
                c.Request.ContentType = "application/json";
                c.Request.ContentLength = body.Content.Length;
                c.Request.Body = body;
            }
        });
        return new Sent(context);
    }

    /// <summary>
    /// Takes a slot of the concurrency limits as a prediction of <paramref name="client"/> in progress does, until the
    /// lease is disposed. (A request's slot is taken only once its body is in, so no request body can hold one.)
    /// </summary>
    private static async Task<RateLimitLease> HoldSlotAsync(ApiFactory factory, string client)
    {
        var predict = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().First(e =>
            e.RoutePattern.RawText?.EndsWith(":predict", StringComparison.Ordinal) == true
            && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post) == true);
        var context = new DefaultHttpContext();
        context.SetEndpoint(predict);
        context.Connection.RemoteIpAddress = IPAddress.Parse(client);
        var lease = await factory.Services.GetRequiredService<IOptions<RateLimiterOptions>>().Value.GlobalLimiter!.AcquireAsync(context);
        lease.IsAcquired.Should().BeTrue("the slot is free when the test takes it");
        return lease;
    }

    private static async Task<JsonNode> ProblemAsync(Sent sent)
    {
        using var reader = new StreamReader(sent.Response.Body, Encoding.UTF8, leaveOpen: true);
        return JsonNode.Parse(await reader.ReadToEndAsync())!;
    }

    private sealed record Sent(HttpContext Context)
    {
        public HttpResponse Response => Context.Response;
    }

    /// <summary>A request body whose first byte arrives only after <see cref="Release"/>: the request stays in progress.</summary>
    private sealed class HeldBody(byte[] content, bool release = false) : Stream
    {
        private readonly TaskCompletionSource _released = NewSource(release);
        private readonly TaskCompletionSource _started = NewSource(false);
        private int _position;

        public byte[] Content => content;

        /// <summary>Completes once the service started reading the body, i.e. the request passed the limiter.</summary>
        public Task Started => _started.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => content.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public void Release() => _released.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
            var count = Math.Min(buffer.Length, content.Length - _position);
            content.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static TaskCompletionSource NewSource(bool completed)
        {
            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (completed)
            {
                source.SetResult();
            }

            return source;
        }
    }

    /// <summary>The request log lines (path and client address) of the service, captured from its Serilog pipeline.</summary>
    private sealed class RequestLogs : ILogEventSink
    {
        private const string RequestLoggingSource = "Serilog.AspNetCore.RequestLoggingMiddleware";
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        public string? ClientAddressOf(string path)
        {
            // The request's summary line is written after the response was handed to the client: wait for it.
            // Framework events carry RequestPath too (from the log scope), and ASP.NET Core's own "Request
            // finished" event a StatusCode as well, so only the line of Serilog's request logging counts, and
            // only once it carries the client address (a line without it never satisfies the wait).
            LogEvent? line = null;
            SpinWait.SpinUntil(
                () => (line = _events.LastOrDefault(e =>
                    e.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: RequestLoggingSource }
                    && e.Properties.TryGetValue("RequestPath", out var p) && p is ScalarValue { Value: string logged } && logged == path
                    && e.Properties.TryGetValue("ClientAddress", out var a) && a is ScalarValue { Value: string })) is not null,
                TimeSpan.FromSeconds(10));
            line.Should().NotBeNull($"a request to {path} is logged with its client address");
            return line!.Properties.TryGetValue("ClientAddress", out var address) && address is ScalarValue { Value: string text } ? text : null;
        }
    }

    /// <summary>The factory with a log sink added to the services, where the service's Serilog pipeline picks it up.</summary>
    private sealed class LoggingApiFactory(RequestLogs logs) : ApiFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(logs));
        }
    }
}
