using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ml_Service.Api.Serving;

/// <summary>Ready only once a model is loaded and passed its canary prediction; the reason otherwise.</summary>
public sealed class ModelReadyHealthCheck(ModelHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.IsReady ? HealthCheckResult.Healthy(host.Status) : HealthCheckResult.Unhealthy(host.Status));
}
