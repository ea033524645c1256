namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// The API key a test gives a generated service it runs outside Development (where the default
/// <c>--auth apikey</c> refuses to start without one), and sends as its callers would.
/// </summary>
public static class ServiceAuth
{
    public const string Header = "X-Api-Key";
    public const string KeyVariable = "Auth__ApiKeys__0";

    /// <summary>A key of the shape the docs recommend (openssl rand -hex 32), fixed so logs can be searched for it.</summary>
    public const string TestKey = "5f0c1d2e3a4b59687a8b9c0d1e2f30415a6b7c8d9e0f1a2b3c4d5e6f70819203";

    /// <summary>True when the scenario's service requires an API key (the default).</summary>
    public static bool RequiresKey(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return scenario.OptionValue("--auth") is null or "apikey";
    }

    /// <summary>The environment that gives the service its key: the test key, or explicitly none.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Environment(Scenario scenario) =>
        [KeyValuePair.Create(KeyVariable, RequiresKey(scenario) ? TestKey : null)];

    /// <summary>Makes every request of <paramref name="client"/> carry the key, when the service requires one.</summary>
    public static HttpClient Authorize(HttpClient client, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (RequiresKey(scenario))
        {
            client.DefaultRequestHeaders.Add(Header, TestKey);
        }

        return client;
    }
}
