using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Handler = Ml_Service.Api.Security.ApiKeyAuthenticationHandler;

namespace Ml_Service.Api;

/// <summary>
/// API-key security of the prediction endpoints: the <c>ApiKey</c> authentication scheme, the
/// policy that requires it, start-up checks that fail closed outside Development, and the security
/// scheme in the OpenAPI document. The probes (and <c>/metrics</c>) never require a key.
/// </summary>
public static class ApiKeyAuthentication
{
    public const string Policy = "ApiKey";

    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<Security.ApiKeyOptions>()
            .Bind(builder.Configuration.GetSection(Security.ApiKeyOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<Security.ApiKeyOptions>, Security.ApiKeyOptionsValidator>();
        services.AddSingleton<Security.ApiKeyStore>();
        services.AddMetricsRegistry();
        services.AddSingleton<Security.ApiKeyMetrics>();
        services.AddHostedService<Security.ApiKeyStartupReport>();

        services.AddAuthentication(Handler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, Handler>(Handler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Handler.SchemeName).RequireAuthenticatedUser());

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

    /// <summary>Authentication and authorization after the service defaults, so refused requests are logged and correlated.</summary>
    public static WebApplication UseApiKeyAuthentication(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Every endpoint of the group requires a valid <c>X-Api-Key</c> and documents its 401.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy).ProducesProblem(StatusCodes.Status401Unauthorized);

    /// <summary>True for endpoint metadata that asks for the API-key policy.</summary>
    public static bool RequiresApiKey(IEnumerable<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Policy);
}
