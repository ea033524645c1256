namespace MlOps.Platform;

/// <summary>
/// The models of this repository: every non-abstract <see cref="ModelDefinition"/> in the application's own
/// assemblies that build on this package (<see cref="ModelAssemblies"/>), ordered by name. Adding a model is
/// adding its definition; nothing else lists them.
/// </summary>
public static class ModelCatalog
{
    private static readonly Lazy<IReadOnlyList<ModelDefinition>> s_all = new(Discover);

    /// <summary>Every model, ordered by name.</summary>
    /// <exception cref="InvalidOperationException">Two definitions share a name, or one is not consistent.</exception>
    public static IReadOnlyList<ModelDefinition> All => s_all.Value;

    /// <summary>The names of every model, ordered.</summary>
    public static IReadOnlyList<string> Names => [.. All.Select(m => m.Name)];

    /// <summary>The model called <paramref name="name"/> (exact, lowercase); null when there is none.</summary>
    public static ModelDefinition? Find(string? name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));

    /// <summary>The definitions of <paramref name="types"/>, checked and ordered by name.</summary>
    /// <exception cref="InvalidOperationException">Two definitions share a name, or one is not consistent.</exception>
    public static IReadOnlyList<ModelDefinition> FromTypes(IEnumerable<Type> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        var definitions = types
            .Where(t => t.IsClass && !t.IsAbstract && t.IsSubclassOf(typeof(ModelDefinition)))
            .Select(Create)
            .ToList();
        foreach (var definition in definitions)
        {
            definition.CheckConsistency();
        }

        var clash = definitions.GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new InvalidOperationException(
                $"Model name '{clash.Key}' is used by more than one definition: {string.Join(" and ", clash.Select(d => d.GetType().FullName).Order(StringComparer.Ordinal))}.");
        }

        return [.. definitions.OrderBy(d => d.Name, StringComparer.Ordinal)];
    }

    private static IReadOnlyList<ModelDefinition> Discover() =>
        FromTypes(ModelAssemblies.Find().SelectMany(a => a.GetTypes()));

    private static ModelDefinition Create(Type type) =>
        type.GetConstructor(Type.EmptyTypes) is { } constructor
            ? (ModelDefinition)constructor.Invoke(null)
            : throw new InvalidOperationException($"Model definition {type.FullName} needs a public constructor without parameters.");
}
