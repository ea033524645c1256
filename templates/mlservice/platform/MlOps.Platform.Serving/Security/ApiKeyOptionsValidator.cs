using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Security;

/// <summary>
/// Fails closed: outside Development the service does not start without a key, and no environment
/// accepts a key that could never match. Messages name the setting, never the key.
/// </summary>
public sealed class ApiKeyOptionsValidator(IHostEnvironment environment) : IValidateOptions<ApiKeyOptions>
{
    /// <summary>Fails without a key outside Development, and for a key that is too short, not visible ASCII or has too few different characters.</summary>
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = options.ConfiguredKeys().ToList();
        if (keys.Count == 0)
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"No API key is configured, and outside Development the service refuses to start without one. " +
                    $"Set the environment variable {ApiKeyOptions.FirstKeyVariable} to a random key of at least " +
                    $"{ApiKeyOptions.MinimumKeyLength} characters (environment '{environment.EnvironmentName}').");
        }

        var failures = new List<string>();
        foreach (var (index, key) in keys)
        {
            var setting = $"{ApiKeyOptions.Section}:ApiKeys:{index}";
            if (key.Length < ApiKeyOptions.MinimumKeyLength)
            {
                failures.Add($"{setting} is shorter than {ApiKeyOptions.MinimumKeyLength} characters.");
            }
            else if (!key.All(c => c is > ' ' and <= '~'))
            {
                // A header value is trimmed and ASCII: such a key could never be sent as configured.
                failures.Add($"{setting} must consist of visible ASCII characters only (no spaces).");
            }
            else if (key.Distinct().Count() < ApiKeyOptions.MinimumDistinctCharacters)
            {
                failures.Add($"{setting} has fewer than {ApiKeyOptions.MinimumDistinctCharacters} different characters; use a random key (openssl rand -hex 32).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
