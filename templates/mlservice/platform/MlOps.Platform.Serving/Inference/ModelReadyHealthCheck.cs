using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlOps.Platform.Serving.Inference;

/// <summary>
/// Ready only once every model of the service is loaded and passed its canary prediction: a service that
/// cannot answer for one of its models must not take traffic that will fail. The description names the
/// models that are not ready and why; <c>data</c> holds each model's state. Per model, readiness is
/// <c>GET /v1/models/{name}</c> (200 or 503). A later reload that was refused keeps a model ready, since a
/// good version still serves, but its state says what failed until a reload succeeds.
/// </summary>
public sealed class ModelReadyHealthCheck(ServedModels models) : IHealthCheck
{
    /// <summary>Healthy when every model is loaded, unhealthy naming the models that are not; the data holds each model's state.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var unready = new List<string>();
        var refused = new List<string>();
        foreach (var host in models.All)
        {
            var state = new Dictionary<string, object> { ["ready"] = host.IsReady, ["status"] = host.Status };
            if (host.Model is { } model)
            {
                state["version"] = model.Version;
            }
            else
            {
                unready.Add($"{host.Definition.Name}: {host.Status}");
            }

            if (host.LastReloadFailure is { } failure)
            {
                refused.Add(host.Status);
                state["last_reload_error"] = failure.Reason;
                state["last_reload_error_at"] = failure.At;
            }

            data[host.Definition.Name] = state;
        }

        return Task.FromResult(unready.Count == 0
            ? HealthCheckResult.Healthy(
                string.Join(" ", refused.Prepend($"All {models.All.Count} model(s) are loaded and passed their canary predictions.")),
                data)
            : HealthCheckResult.Unhealthy($"{unready.Count} of {models.All.Count} model(s) not ready: {string.Join(" ", unready)}", data: data));
    }
}
