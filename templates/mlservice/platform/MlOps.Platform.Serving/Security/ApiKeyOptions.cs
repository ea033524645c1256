using System.ComponentModel.DataAnnotations;

namespace MlOps.Platform.Serving.Security;

/// <summary>
/// Configuration section <c>Auth</c>: the API keys callers may send in <c>X-Api-Key</c>. Set them by
/// environment, never in a committed file: <c>Auth__ApiKeys__0</c>, plus <c>Auth__ApiKeys__1</c> while
/// rotating (both are accepted until the old one is removed).
/// </summary>
public sealed class ApiKeyOptions
{
    /// <summary>The name of the configuration section.</summary>
    public const string Section = "Auth";

    /// <summary>Environment variable of the first key, as named in error messages and docs.</summary>
    public const string FirstKeyVariable = "Auth__ApiKeys__0";

    /// <summary>Shortest key accepted: shorter ones are too easy to guess.</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>Fewest different characters a key must have: <c>aaaaaaaaaaaaaaaa</c> is long but no secret.</summary>
    public const int MinimumDistinctCharacters = 6;

    /// <summary>Every key that is currently valid; empty entries are ignored. None: keys are off (allowed in Development only).</summary>
    public IList<string?> ApiKeys { get; } = [];

    /// <summary>Requests without a valid key one client may send within <see cref="FailedAttemptWindowSeconds"/> before it gets 429 (0 = no limit).</summary>
    [Range(0, 1_000_000)]
    public int MaxFailedAttemptsPerClient { get; set; } = 10;

    /// <summary>Seconds over which a client's failed attempts are counted, and for which it is then throttled.</summary>
    [Range(1, 86_400)]
    public int FailedAttemptWindowSeconds { get; set; } = 60;

    /// <summary>The keys that are set, by their index in <see cref="ApiKeys"/>.</summary>
    public IEnumerable<(int Index, string Key)> ConfiguredKeys() =>
        ApiKeys.Select((key, index) => (index, key)).Where(k => !string.IsNullOrEmpty(k.key)).Select(k => (k.index, k.key!));
}
