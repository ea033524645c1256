// A bare minimal-API endpoint with the route and response shape of the generated service's predict:
// no body parsing, model, validation, authentication, metrics or request logging. Whatever the
// generated service does on top of this is what the benchmark prices.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var prediction = """{"predictions":[{"label":true,"probability":0.73,"score":0.99}]}"""u8.ToArray();
app.MapPost("/v1/models/{name}:predict", async (HttpContext context) =>
{
    context.Response.ContentType = "application/json";
    await context.Response.Body.WriteAsync(prediction);
});

app.Run();
