var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddModelServing(builder.Configuration);

var app = builder.Build();

app.UseServiceDefaults();
app.MapHealthEndpoints();
app.MapMetricsEndpoint();
app.MapPredictionEndpoints();

app.Run();
