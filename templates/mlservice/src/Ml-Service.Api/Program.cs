var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
#if (ApiKeyAuth)
builder.AddApiKeyAuthentication();
#endif
builder.Services.AddModelServing(builder.Configuration);

var app = builder.Build();

app.UseServiceDefaults();
#if (ApiKeyAuth)
app.UseApiKeyAuthentication();
#endif
app.MapHealthEndpoints();
app.MapMetricsEndpoint();
app.MapPredictionEndpoints();

app.Run();
