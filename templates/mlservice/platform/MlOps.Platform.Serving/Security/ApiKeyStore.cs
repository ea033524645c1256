using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Security;

/// <summary>
/// The configured keys, kept only as SHA-256 hashes. A presented key is hashed and compared with
/// every configured hash in constant time, without stopping at the first match, so neither the
/// time taken nor the position of a matching key tells an attacker anything about the keys.
/// </summary>
public sealed class ApiKeyStore(IOptions<ApiKeyOptions> options)
{
    private readonly byte[][] _hashes = options.Value.ConfiguredKeys().Select(k => Hash(k.Key)).ToArray();

    /// <summary>False when no key is configured (Development only): every request is let through.</summary>
    public bool Enabled => _hashes.Length > 0;

    /// <summary>The number of configured keys.</summary>
    public int Count => _hashes.Length;

    /// <summary>Whether <paramref name="presented"/> is one of the configured keys, compared in constant time.</summary>
    public bool Matches(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var hash = Hash(presented);
        var match = false;
        foreach (var expected in _hashes)
        {
            // Non-short-circuiting OR: every key is compared, whichever matches.
            match |= CryptographicOperations.FixedTimeEquals(hash, expected);
        }

        return match;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
