using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Inference;

/// <summary>
/// Every model of the repository (<see cref="ModelCatalog.All"/>), each with its own <see cref="ModelHost"/>
/// loaded from <c>Model:Directory/&lt;name&gt;/model.zip</c> (or <c>Model:Paths:&lt;name&gt;</c>).
/// </summary>
public sealed class ServedModels : IDisposable
{
    private readonly Dictionary<string, ModelHost> _byName;

    /// <summary>Creates a host for every model of <see cref="ModelCatalog.All"/>, with the paths and limits of <paramref name="options"/>.</summary>
    public ServedModels(ServingMetrics metrics, IOptions<ServingOptions> options, IHostEnvironment environment)
        : this(ModelCatalog.All, metrics, options, environment)
    {
    }

    private ServedModels(IEnumerable<ModelDefinition> definitions, ServingMetrics metrics, IOptions<ServingOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        All = definitions
            .Select(d => new ModelHost(
                d, options.Value.ModelPath(d, environment.ContentRootPath), metrics.For(d), options.Value.DriftWindow, options.Value.FileLimits()))
            .ToList();
        _byName = All.ToDictionary(h => h.Definition.Name, StringComparer.Ordinal);
        metrics.WatchDiskOf(All.Select(h => Path.GetDirectoryName(h.ModelPath)!));
    }

    /// <summary>Hosts for some definitions only (tests); the service itself serves <see cref="ModelCatalog.All"/>.</summary>
    public static ServedModels Of(IEnumerable<ModelDefinition> definitions, ServingMetrics metrics, IOptions<ServingOptions> options, IHostEnvironment environment) =>
        new(definitions, metrics, options, environment);

    /// <summary>The hosts, in model name order.</summary>
    public IReadOnlyList<ModelHost> All { get; }

    /// <summary>The names of the served models, ordered.</summary>
    public IReadOnlyList<string> Names => [.. All.Select(h => h.Definition.Name)];

    /// <summary>The host of the model called <paramref name="name"/>; null when this service has no such model.</summary>
    public ModelHost? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Disposes every host.</summary>
    public void Dispose()
    {
        foreach (var host in All)
        {
            host.Dispose();
        }
    }
}
