namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Test classes that train, promote or roll back models in the generated repos every test shares
/// (<see cref="GeneratedRepo"/>): one at a time, so that no class sees another's runs in <c>models/</c>
/// (a run of one class once appeared in another's count of its own runs). They still run beside the other classes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TrainsSharedRepos
{
    public const string Name = "trains-shared-repos";
}
