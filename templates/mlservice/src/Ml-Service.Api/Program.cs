var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceProtections();
#if (ApiKeyAuth)
builder.AddApiKeyAuthentication();
#endif
builder.Services.AddModelServing(builder.Configuration);

var app = builder.Build();

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
