using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace MlOps.Platform;

/// <summary>
/// Finds the assemblies that hold model definitions: the application's own assemblies (those next to it,
/// listed by the runtime's trusted-assembly list) that reference this package and carry
/// <see cref="ModelAssemblyAttribute"/>. Their metadata is read without
/// loading them, because a host that finds its models by reflection never names a model type, so the compiler
/// drops the reference and nothing would load the models' assembly otherwise.
/// </summary>
public static class ModelAssemblies
{
    private static readonly string s_core = typeof(ModelDefinition).Assembly.GetName().Name!;

    /// <summary>The marked assemblies, loaded and ordered by name.</summary>
    public static IReadOnlyList<Assembly> Find()
    {
        var baseDirectory = Path.GetFullPath(AppContext.BaseDirectory);
        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return [.. trusted
            .Where(path => Path.GetFullPath(path).StartsWith(baseDirectory, StringComparison.Ordinal))
            .Where(ReferencesCore)
            .Select(path => Assembly.Load(AssemblyName.GetAssemblyName(path)))
            .Where(a => a.IsDefined(typeof(ModelAssemblyAttribute), inherit: false))
            .OrderBy(a => a.GetName().Name, StringComparer.Ordinal)];
    }

    private static bool ReferencesCore(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var metadata = pe.GetMetadataReader();
            return metadata.AssemblyReferences.Any(
                handle => metadata.StringComparer.Equals(metadata.GetAssemblyReference(handle).Name, s_core));
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
