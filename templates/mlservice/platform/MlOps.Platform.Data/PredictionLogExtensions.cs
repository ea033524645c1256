using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlOps.Platform.Data.Feedback;
using MlOps.Platform.Serving;
using MlOps.Platform.Serving.Endpoints;
using MlOps.Platform.Serving.Inference;

namespace MlOps.Platform.Data;

/// <summary>Turns the prediction and feedback log on.</summary>
public static class PredictionLogExtensions
{
    /// <summary>
    /// Binds and validates <see cref="PredictionLogOptions"/> (section <c>PredictionLog</c> and
    /// <c>ConnectionStrings:Predictions</c>; a wrong value stops the start), and registers the log: the predict
    /// endpoint hands it every answered request and returns the ids (<c>X-Prediction-Ids</c>), the writer stores
    /// them in the background, and <c>MapPredictionEndpoints</c> maps <c>POST /v1/models/{name}/feedback</c> beside
    /// predict, with the same protections; the <see cref="LiveQualityMonitor"/> publishes the served models' quality on
    /// their labelled predictions. Readiness does not depend on the database. Call it before <c>Build()</c>.
    /// </summary>
    public static WebApplicationBuilder AddPredictionLog(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPredictionLog();
        return builder;
    }

    /// <inheritdoc cref="AddPredictionLog(WebApplicationBuilder)"/>
    public static IServiceCollection AddPredictionLog(this IServiceCollection services)
    {
        services.AddOptions<PredictionLogOptions>()
            .BindConfiguration(PredictionLogOptions.Section, binder => binder.ErrorOnUnknownConfiguration = true)
            .Configure<IConfiguration>((options, configuration) =>
                options.ConnectionString = configuration.GetConnectionString(PredictionLogOptions.ConnectionStringName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PredictionLogOptions>, PredictionLogOptionsValidator>();
        services.AddMetricsRegistry();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PredictionLogMetrics>();
        services.AddSingleton<OutageEpisodes>();
        services.AddSingleton<PredictionDatabase>();
        services.AddSingleton<PredictionLog>();
        services.AddSingleton<IPredictionLog>(provider => provider.GetRequiredService<PredictionLog>());
        services.AddHostedService<PredictionLogWriter>();
        services.AddSingleton<LiveQualityMetrics>();
        services.AddSingleton<LiveQualityMonitor>();
        services.AddHostedService(provider => provider.GetRequiredService<LiveQualityMonitor>());
        services.AddSingleton<IModelEndpoints, FeedbackRoutes>();
        return services;
    }

    private sealed class FeedbackRoutes : IModelEndpoints
    {
        public void Map(IEndpointRouteBuilder models) => models.MapFeedbackEndpoints();
    }
}
