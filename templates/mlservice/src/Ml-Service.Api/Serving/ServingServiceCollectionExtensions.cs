using Microsoft.Extensions.Options;

namespace Ml_Service.Api.Serving;

public static class ServingServiceCollectionExtensions
{
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
