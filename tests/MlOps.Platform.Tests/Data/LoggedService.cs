using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Platform.Data;
using MlOps.Platform.Serving.Endpoints;
using MlOps.Platform.Tests.Api;
using Serilog.Core;
using Serilog.Events;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// The golden-path API with the prediction log on (<see cref="PredictionLogExtensions.AddPredictionLog(IServiceCollection)"/>),
/// as a repository made with a database would compose it, writing to <see cref="Database"/>; it keeps the log events
/// of Warning and above in <see cref="Events"/>.
/// </summary>
public sealed class LoggedService : ApiFactory
{
    public LoggedService(TestDatabase database, IReadOnlyDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        Database = database;
        var all = database.Settings;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        Settings = all;
    }

    public TestDatabase Database { get; }

    public ConcurrentQueue<LogEvent> Events { get; } = new();

    /// <summary>Warnings logged by the prediction log (not by the rest of the service).</summary>
    public IEnumerable<LogEvent> LogWarnings => Events.Where(e =>
        e.Level == LogEventLevel.Warning
        && e.Properties.TryGetValue("SourceContext", out var source)
        && source.ToString().Trim('"').StartsWith("MlOps.Platform.Data", StringComparison.Ordinal));

    /// <summary>POSTs the model's canary instance <paramref name="instances"/> times in one request; the answer must be 200.</summary>
    public static async Task<HttpResponseMessage> PredictAsync(HttpClient client, ModelDefinition model, int instances = 1)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var body = new StringContent(ServedModelCases.CanaryRequest(model, instances), System.Text.Encoding.UTF8, "application/json");
        var response = await client.PostAsync(ServedModelCases.PredictUri(model), body);
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return response;
    }

    /// <summary>The prediction ids of an answer; empty when it has none.</summary>
    public static List<Guid> IdsOf(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues(PredictionEndpoints.PredictionIdsHeader, out var values)
            ? [.. values.SelectMany(v => v.Split(',')).Select(Guid.Parse)]
            : [];
    }

    /// <summary>POSTs feedback on a prediction of <paramref name="model"/>.</summary>
    public static Task<HttpResponseMessage> FeedbackAsync(HttpClient client, string model, object body)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.PostAsJsonAsync(new Uri($"/v1/models/{model}/feedback", UriKind.Relative), body);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddPredictionLog();
            services.AddSingleton<ILogEventSink>(new Sink(Events));
        });
    }

    private sealed class Sink(ConcurrentQueue<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);
    }
}
