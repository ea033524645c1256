var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceProtections();
#if (ApiKeyAuth)
builder.AddApiKeyAuthentication();
#endif
builder.Services.AddModelServing(builder.Configuration);
#if (PredictionLog)
builder.AddPredictionLog();
#endif

var app = builder.Build();
#if (PredictionLog)

// db-migrate, export-feedback and db-prune: the make targets and the Kubernetes jobs run the service's own image.
if (PredictionLogCommands.IsCommand(args))
{
    return await PredictionLogCommands.RunAsync(args, app.Services, Console.Out, Console.Error);
}
#endif

app.UseTrustedProxies();
app.UseServiceDefaults();
app.UseServiceProtections();
#if (ApiKeyAuth)
app.UseApiKeyAuthentication();
#endif
app.MapHealthEndpoints();
app.MapMetricsEndpoint();
#if (ApiKeyAuth)
app.MapPredictionEndpoints().RequireApiKey();
#else
app.MapPredictionEndpoints();
#endif

return app.RunService();
