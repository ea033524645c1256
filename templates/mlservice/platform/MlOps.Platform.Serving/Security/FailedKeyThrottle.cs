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

    /// <summary>The key that clients beyond <see cref="MaxTrackedClients"/> share (no address maps to it).</summary>
    private static readonly UInt128 s_overflow = UInt128.MaxValue;

    private readonly ConcurrentDictionary<UInt128, Window> _clients = new();

    // Set by the first failure: until then a request costs one read here, not a lookup (the common case).
    private volatile bool _anyFailure;

    private int Limit => options.Value.MaxFailedAttemptsPerClient;

    private TimeSpan Length => TimeSpan.FromSeconds(options.Value.FailedAttemptWindowSeconds);

    /// <summary>The time the client must wait while it is throttled; null when it is not.</summary>
    public TimeSpan? RetryAfter(IPAddress? client)
    {
        if (!_anyFailure || Limit == 0 || !_clients.TryGetValue(KeyOf(client), out var window))
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

        _anyFailure = true;
        var key = KeyOf(client);
        if (!_clients.ContainsKey(key) && _clients.Count >= MaxTrackedClients)
        {
            Prune();
            key = _clients.Count >= MaxTrackedClients ? s_overflow : key;
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
                    Describe(client, key), window.Failures, Length.TotalSeconds);
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

    /// <summary>
    /// The client's key without allocating: an IPv4 address (also one mapped into IPv6) as its 32 bits, an IPv6
    /// address by its /64 network (one IPv6 client usually holds a whole /64 and could change address for each
    /// try), with a family marker so the two never collide; 0 for an unknown address.
    /// </summary>
    private static UInt128 KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return UInt128.Zero;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            address.TryWriteBytes(bytes, out _);
            return new UInt128(4, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        address.TryWriteBytes(bytes, out _);
        return new UInt128(6, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    /// <summary>How the log names a throttled client.</summary>
    private static string Describe(IPAddress? client, UInt128 key)
    {
        if (key == s_overflow)
        {
            return "other-clients";
        }

        if (client is null)
        {
            return "unknown";
        }

        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        if (client.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return client.ToString();
        }

        var bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public int Failures { get; set; }
    }
}
