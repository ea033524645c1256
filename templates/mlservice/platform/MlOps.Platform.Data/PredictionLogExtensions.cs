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
    /// <remarks><c>PredictionLog:Enabled</c> = <c>false</c> registers nothing: no ids, no feedback route, no database.</remarks>
    public static WebApplicationBuilder AddPredictionLog(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration.GetValue($"{PredictionLogOptions.Section}:{nameof(PredictionLogOptions.Enabled)}", defaultValue: true))
        {
            builder.Services.AddPredictionLog();
        }

        return builder;
    }

    /// <summary>Registers the log whatever <c>PredictionLog:Enabled</c> says (see <see cref="AddPredictionLog(WebApplicationBuilder)"/>); a second call does nothing.</summary>
    public static IServiceCollection AddPredictionLog(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(PredictionLog)))
        {
            return services;
        }

        services.AddOptions<PredictionLogOptions>()
            .BindConfiguration(PredictionLogOptions.Section, binder => binder.ErrorOnUnknownConfiguration = true)
            .Configure<IConfiguration, IHostEnvironment>((options, configuration, environment) =>
            {
                var connection = configuration.GetConnectionString(PredictionLogOptions.ConnectionStringName);
                options.ConnectionString = options.Provider == PredictionStore.Sqlite && !string.IsNullOrWhiteSpace(connection)
                    ? SqliteFile.Anchored(connection, environment.ContentRootPath)
                    : connection;
            })
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
        services.AddHostedService<PredictionRetentionService>();
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
