using Ml_Service.Api;
using Ml_Service.Api.Endpoints;
using Ml_Service.Api.Serving;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddModelServing(builder.Configuration);

var app = builder.Build();

app.UseServiceDefaults();
app.MapHealthEndpoints();
app.MapPredictionEndpoints();

app.Run();
