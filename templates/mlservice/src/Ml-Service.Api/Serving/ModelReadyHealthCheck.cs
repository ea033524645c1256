using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ml_Service.Api.Serving;

/// <summary>
/// Ready only once a model is loaded and passed its canary prediction; the reason otherwise. A later
/// reload that was refused keeps the service ready, since a good model still serves, but the
/// description and <c>data.last_reload_error</c> say what failed until a reload succeeds.
/// </summary>
public sealed class ModelReadyHealthCheck(ModelHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = host.Status;
        if (host.Model is not { } model)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(status));
        }

        var data = new Dictionary<string, object> { ["version"] = model.Version };
        if (host.LastReloadFailure is { } failure)
        {
            data["last_reload_error"] = failure.Reason;
            data["last_reload_error_at"] = failure.At;
        }

        return Task.FromResult(HealthCheckResult.Healthy(status, data));
    }
}
