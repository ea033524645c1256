namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Test classes that measure time or load (wrk, slow clients, keep-alive and shutdown deadlines): xunit runs this
/// collection after the others, alone, so a build in a parallel test cannot eat the margin they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "timing-sensitive";
}
