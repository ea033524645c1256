using Microsoft.Extensions.Options;

namespace Ml_Service.Api.Serving;

public static class ServingServiceCollectionExtensions
{
    public static IServiceCollection AddModelServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServingOptions>()
            .Bind(configuration.GetSection(ServingOptions.Section))
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
