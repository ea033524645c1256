namespace Ml_Service.Api.Serving;

public static class ServingServiceCollectionExtensions
{
    public static IServiceCollection AddModelServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServingOptions>()
            .Bind(configuration.GetSection(ServingOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetricsRegistry();
        services.AddSingleton<ServingMetrics>();
        services.AddSingleton<ModelHost>();
        services.AddHostedService<ModelLoaderService>();
        services.AddHealthChecks().AddReadinessCheck<ModelReadyHealthCheck>("model");
        return services;
    }
}
