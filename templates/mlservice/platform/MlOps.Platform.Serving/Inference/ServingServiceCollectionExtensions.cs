using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Inference;

/// <summary>Registers the serving of the repository's models.</summary>
public static class ServingServiceCollectionExtensions
{
    /// <summary>Binds and validates the <c>Model</c> section (unknown keys stop the start) and registers the served models, their metrics, the background loader and the readiness check.</summary>
    public static IServiceCollection AddModelServing(this IServiceCollection services, IConfiguration configuration)
    {
        // A key the options do not have (a typo, or Model:Path of a single-model service) stops the start
        // instead of being ignored while the service serves from somewhere else.
        services.AddOptions<ServingOptions>()
            .Bind(configuration.GetSection(ServingOptions.Section), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();
        services.AddMetricsRegistry();
        services.AddSingleton<ServingMetrics>();
        services.AddSingleton<ServedModels>();
        services.AddHostedService<ModelLoaderService>();
        services.AddHealthChecks().AddReadinessCheck<ModelReadyHealthCheck>("models");
        return services;
    }
}
