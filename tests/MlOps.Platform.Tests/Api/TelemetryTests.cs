using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MlOps.Platform.Tests.Api;

/// <summary>Traces and metrics are pushed over OTLP only where a collector is configured.</summary>
public class TelemetryTests
{
    [Fact]
    public void Without_an_otlp_endpoint_nothing_is_exported()
    {
        using var factory = new ApiFactory();

        factory.Services.GetService<TracerProvider>().Should().BeNull();
        factory.Services.GetService<MeterProvider>().Should().BeNull();
    }

    [Fact]
    public async Task With_an_otlp_endpoint_requests_are_traced_and_measured()
    {
        using var factory = new ApiFactory
        {
            // Nothing listens there; exports fail quietly in the background and never affect requests.
            Settings = new Dictionary<string, string?> { [Telemetry.OtlpEndpointSetting] = "http://127.0.0.1:4317" },
        };
        var client = await factory.CreateStartedClientAsync();

        factory.Services.GetService<TracerProvider>().Should().NotBeNull();
        factory.Services.GetService<MeterProvider>().Should().NotBeNull();
        (await client.GetAsync(ServedModelCases.MetadataUri(ServedModelCases.Any))).EnsureSuccessStatusCode();
    }
}
