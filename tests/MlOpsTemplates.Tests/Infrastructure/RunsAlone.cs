namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Test classes that must not share the machine with another test: those that measure time or load (wrk, slow
/// clients, keep-alive and shutdown deadlines), where a parallel build would eat the margin they measure, and the
/// README's demo, which packs the platform again at the run's version and drops its copies from the shared package
/// cache while a parallel build may be reading them. xunit runs this collection after the others, one class at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs-alone";
}
