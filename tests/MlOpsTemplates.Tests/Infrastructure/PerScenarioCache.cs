using System.Collections.Concurrent;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Computes an expensive per-scenario result once per test run and shares it between tests
/// (a failure is cached too, so every dependent test reports it).
/// </summary>
public sealed class PerScenarioCache<T>(Func<Scenario, Task<T>> factory)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _entries = new();

    public Task<T> GetAsync(Scenario scenario) =>
        _entries.GetOrAdd(scenario.Id, _ => new Lazy<Task<T>>(() => factory(scenario))).Value;
}
