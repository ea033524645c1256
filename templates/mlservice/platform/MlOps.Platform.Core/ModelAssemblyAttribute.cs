namespace MlOps.Platform;

/// <summary>
/// Marks the assembly that holds an application's model definitions; <see cref="ModelCatalog"/> looks for
/// models in marked assemblies only (a test assembly's own test definitions stay out of the catalog).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ModelAssemblyAttribute : Attribute;
