using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Security;

/// <summary>
/// Counts requests without a valid API key per client address (an IPv6 client by its /64 network). A client with
/// <see cref="ApiKeyOptions.MaxFailedAttemptsPerClient"/> failures within <see cref="ApiKeyOptions.FailedAttemptWindowSeconds"/>
/// gets 429 for every <c>/v1</c> request until the window ends, keys unchecked, so keys cannot be guessed at speed and a
/// client without a key cannot make the service log or work for each request. Each episode is logged once.
/// </summary>
public sealed class FailedKeyThrottle(IOptions<ApiKeyOptions> options, ApiKeyMetrics metrics, TimeProvider time, ILogger<FailedKeyThrottle> logger)
{
    /// <summary>Most client addresses tracked at once; beyond that new clients share one window.</summary>
    public const int MaxTrackedClients = 10_000;

    private const string Overflow = "other-clients";

    private readonly ConcurrentDictionary<string, Window> _clients = new(StringComparer.Ordinal);

    private int Limit => options.Value.MaxFailedAttemptsPerClient;

    private TimeSpan Length => TimeSpan.FromSeconds(options.Value.FailedAttemptWindowSeconds);

    /// <summary>The time the client must wait while it is throttled; null when it is not.</summary>
    public TimeSpan? RetryAfter(IPAddress? client)
    {
        if (Limit == 0 || !_clients.TryGetValue(KeyOf(client), out var window))
        {
            return null;
        }

        lock (window)
        {
            var left = window.Start + Length - time.GetUtcNow();
            return window.Failures >= Limit && left > TimeSpan.Zero ? left : null;
        }
    }

    /// <summary>Counts a request refused with 401; the failure that reaches the limit starts the client's episode.</summary>
    public void RecordFailure(IPAddress? client)
    {
        if (Limit == 0)
        {
            return;
        }

        var key = KeyOf(client);
        if (!_clients.ContainsKey(key) && _clients.Count >= MaxTrackedClients)
        {
            Prune();
            key = _clients.Count >= MaxTrackedClients ? Overflow : key;
        }

        var window = _clients.GetOrAdd(key, _ => new Window(time.GetUtcNow()));
        lock (window)
        {
            var now = time.GetUtcNow();
            if (now - window.Start >= Length)
            {
                window.Start = now;
                window.Failures = 0;
            }

            if (++window.Failures == Limit)
            {
                logger.LogWarning(
                    "Client {Client} sent {Failures} requests without a valid API key within {WindowSeconds} s; its /v1 requests get 429 until the window ends",
                    key, window.Failures, Length.TotalSeconds);
            }
        }
    }

    /// <summary>Counts a request answered 429.</summary>
    public void RecordThrottled() => metrics.CountThrottled();

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, window) in _clients)
        {
            if (now - window.Start >= Length)
            {
                _clients.TryRemove(key, out _);
            }
        }
    }

    private static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        // One IPv6 client usually holds a whole /64: counted by network, or it could change address for each try.
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public int Failures { get; set; }
    }
}
