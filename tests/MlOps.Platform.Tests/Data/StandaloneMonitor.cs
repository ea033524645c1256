using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Platform.Data;
using Prometheus;

namespace MlOps.Platform.Tests.Data;

/// <summary>
/// A <see cref="LiveQualityMonitor"/> of every model of the catalog on a test database, composed as the service composes
/// it but without one (no host to start): its gauges in a registry of its own, read as <c>/metrics</c> reads them, and
/// its log lines kept.
/// </summary>
public sealed class StandaloneMonitor : IDisposable
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly ServedModels _models;

    public StandaloneMonitor(TestDatabase database, int window = 1000, int minLabelled = 30, int intervalSeconds = 3600)
    {
        ArgumentNullException.ThrowIfNull(database);
        _models = ServedModels.Of(
            ModelCatalog.All, new ServingMetrics(_registry), Options.Create(new ServingOptions()), new HostingEnvironment { ContentRootPath = Path.GetTempPath() });
        var options = new PredictionLogOptions
        {
            Provider = database.Provider,
            ConnectionString = database.ConnectionString,
            LiveQualityWindow = window,
            LiveQualityMinLabelled = minLabelled,
            LiveQualityIntervalSeconds = intervalSeconds,
        };
        Monitor = new LiveQualityMonitor(
            _models, database.Database, Options.Create(options), new LiveQualityMetrics(Metrics.WithCustomRegistry(_registry)), new KeptLog(Logs), TimeProvider.System);
    }

    public LiveQualityMonitor Monitor { get; }

    /// <summary>Every line the monitor logged, with its level.</summary>
    public ConcurrentQueue<(LogLevel Level, string Message)> Logs { get; } = new();

    /// <summary>The registry's series, parsed as a scrape of <c>/metrics</c> is.</summary>
    public async Task<MetricsScrape> ScrapeAsync()
    {
        using var client = new HttpClient(new Exporter(_registry)) { BaseAddress = new Uri("http://monitor/") };
        return await MetricsScrape.GetAsync(client);
    }

    public void Dispose()
    {
        Monitor.Dispose();
        _models.Dispose();
    }

    private sealed class Exporter(CollectorRegistry registry) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var text = new MemoryStream();
            await registry.CollectAndExportAsTextAsync(text, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(text.ToArray()) };
        }
    }

    private sealed class KeptLog(ConcurrentQueue<(LogLevel Level, string Message)> logs) : ILogger<LiveQualityMonitor>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue((logLevel, formatter(state, exception)));
    }
}
