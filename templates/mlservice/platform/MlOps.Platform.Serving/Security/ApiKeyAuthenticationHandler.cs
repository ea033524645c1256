using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Security;

/// <summary>
/// The <c>ApiKey</c> authentication scheme: a caller is authenticated by a key in the
/// <c>X-Api-Key</c> header that matches one of <c>Auth:ApiKeys</c>. A refused request gets a 401
/// problem document saying whether the key was missing or invalid; the key itself is never echoed
/// or logged. The handler itself logs nothing: a refused request costs the one line of request logging, and a client
/// that keeps failing is throttled (<see cref="FailedKeyThrottle"/>).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    UrlEncoder encoder,
    ApiKeyStore keys,
    ApiKeyMetrics metrics,
    FailedKeyThrottle throttle) : AuthenticationHandler<AuthenticationSchemeOptions>(options, NullLoggerFactory.Instance, encoder)
{
    /// <summary>The name of the authentication scheme.</summary>
    public const string SchemeName = "ApiKey";
    /// <summary>The request header that carries the API key.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>The <c>WWW-Authenticate</c> challenge of a 401: which scheme, and where the key goes.</summary>
    public const string Challenge = $"{SchemeName} header=\"{HeaderName}\"";

    /// <summary>Succeeds for exactly one <c>X-Api-Key</c> header that matches a configured key, or for everyone when no key is configured; no result without a key; fails otherwise.</summary>
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.Enabled)
        {
            // Development without keys: the start-up warning said so; everyone is let through.
            return Task.FromResult(Success("development (API keys off)"));
        }

        var presented = Request.Headers[HeaderName];
        if (presented.Count == 0 || string.IsNullOrEmpty(presented[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Several X-Api-Key headers are refused rather than guessed between.
        return Task.FromResult(presented.Count == 1 && keys.Matches(presented[0]!)
            ? Success("api-key")
            : AuthenticateResult.Fail("The X-Api-Key header matches no configured API key."));
    }

    /// <summary>Counts the failure, records it for the throttle and answers 401 with the <c>WWW-Authenticate</c> challenge and a problem document saying whether the key was missing or invalid.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var missing = result.None;
        metrics.CountFailure(missing);
        throttle.RecordFailure(Context.Connection.RemoteIpAddress);

        Response.Headers.WWWAuthenticate = Challenge;
        var problem = missing
            ? TypedResults.Problem(
                title: "An API key is required.",
                detail: $"Send one of the service's API keys in the {HeaderName} header.",
                statusCode: StatusCodes.Status401Unauthorized)
            : TypedResults.Problem(
                title: "The API key is not valid.",
                detail: $"The key sent in the {HeaderName} header matches none of the service's API keys; it may have been rotated out.",
                statusCode: StatusCodes.Status401Unauthorized);
        await problem.ExecuteAsync(Context);
    }

    private static AuthenticateResult Success(string name) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], SchemeName)),
            SchemeName));
}
