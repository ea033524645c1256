using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Handler = MlOps.Platform.Serving.Security.ApiKeyAuthenticationHandler;

namespace MlOps.Platform.Serving;

/// <summary>
/// API-key security of the prediction endpoints: the <c>ApiKey</c> authentication scheme, the
/// policy that requires it, start-up checks that fail closed outside Development, and the security
/// scheme in the OpenAPI document. The probes (and <c>/metrics</c>) never require a key.
/// </summary>
public static class ApiKeyAuthentication
{
    /// <summary>The name of the authorization policy that requires a valid API key.</summary>
    public const string Policy = "ApiKey";

    /// <summary>Binds and validates the <c>Auth</c> section and registers the <c>ApiKey</c> scheme, the <see cref="Policy"/> policy, the failed-key throttle, the metrics and the OpenAPI security scheme.</summary>
    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<Security.ApiKeyOptions>()
            .Bind(builder.Configuration.GetSection(Security.ApiKeyOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<Security.ApiKeyOptions>, Security.ApiKeyOptionsValidator>();
        services.AddSingleton<Security.ApiKeyStore>();
        services.AddMetricsRegistry();
        services.AddSingleton<Security.ApiKeyMetrics>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Security.FailedKeyThrottle>();
        services.AddHostedService<Security.ApiKeyStartupReport>();

        services.AddAuthentication(Handler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, Handler>(Handler.SchemeName, null);
        // The policy names no scheme: the authentication middleware has already authenticated the request with the
        // default scheme (ApiKey), and naming it again would authenticate every request twice.
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.RequireAuthenticatedUser());

        // The document "v1" that ServiceDefaults registers with AddOpenApi().
        services.Configure<OpenApiOptions>("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.AddComponent<IOpenApiSecurityScheme>(Handler.SchemeName, new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = Handler.HeaderName,
                    Description = "One of the keys configured in Auth:ApiKeys (environment Auth__ApiKeys__0, Auth__ApiKeys__1 while rotating).",
                });
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (RequiresApiKey(context.Description.ActionDescriptor.EndpointMetadata))
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(Handler.SchemeName, context.Document)] = [],
                    });
                }

                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>
    /// Authentication and authorization after the service defaults, so refused requests are logged and correlated;
    /// before them, a client throttled for failed keys is answered 429 without its key being checked.
    /// </summary>
    public static WebApplication UseApiKeyAuthentication(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved on the first request: resolving the keys validates them, and a start-up failure belongs to RunService.
        var throttle = new Lazy<Security.FailedKeyThrottle>(app.Services.GetRequiredService<Security.FailedKeyThrottle>);
        var keys = new Lazy<Security.ApiKeyStore>(app.Services.GetRequiredService<Security.ApiKeyStore>);
        app.Use(async (context, next) =>
        {
            if (keys.Value.Enabled
                && context.GetEndpoint() is { } endpoint
                && RequiresApiKey(endpoint)
                && throttle.Value.RetryAfter(context.Connection.RemoteIpAddress) is { } wait)
            {
                throttle.Value.RecordThrottled();
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests without a valid API key.",
                    detail: $"This client sent too many requests without a valid {Handler.HeaderName}. Retry after {seconds} s.").ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Every endpoint of the group requires a valid <c>X-Api-Key</c> and documents its 401 and the 429 of a throttled client.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <summary>True for endpoint metadata that asks for the API-key policy.</summary>
    public static bool RequiresApiKey(IEnumerable<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Policy);

    /// <summary>True for an endpoint that asks for the API-key policy (its metadata lookup is cached by routing).</summary>
    private static bool RequiresApiKey(Endpoint endpoint)
    {
        foreach (var data in endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>())
        {
            if (data.Policy == Policy)
            {
                return true;
            }
        }

        return false;
    }
}
