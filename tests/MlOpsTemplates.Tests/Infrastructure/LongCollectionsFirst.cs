using Xunit.Abstractions;

[assembly: Xunit.TestCollectionOrderer("MlOpsTemplates.Tests.Infrastructure.LongCollectionsFirst", "MlOpsTemplates.Tests")]

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Starts the test collections that run longest one test after another first: xunit runs the tests of one collection
/// in sequence, so a long collection started last runs alone on one of the two threads at the end of the run (the
/// classes that train the shared repos took 2 minutes so). The others keep xunit's order.
/// </summary>
public sealed class LongCollectionsFirst : Xunit.ITestCollectionOrderer
{
    /// <summary>The collections to start first, longest first: a collection's name, or a class that is a collection of its own.</summary>
    private static readonly string[] s_first =
    [
        TrainsSharedRepos.Name,
        nameof(ExecutionTests),
        nameof(TemplateUpdateTests),
        nameof(DataImportTests),
        nameof(OnnxImportTests),
        nameof(ContainerTests),
        nameof(AuthoringTests),
        nameof(ContributingRecipeTests),
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank);

    private static int Rank(ITestCollection collection)
    {
        var name = collection.DisplayName;
        var rank = Array.FindIndex(s_first, first => name == first || name.EndsWith("." + first, StringComparison.Ordinal));
        return rank < 0 ? s_first.Length : rank;
    }
}
