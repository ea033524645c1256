using System.Runtime.CompilerServices;

namespace MlOps.Platform.Tests;

/// <summary>These tests read the data, params and docs of the template's golden-path source, the repository they serve.</summary>
internal static class RepositoryRoot
{
    [ModuleInitializer]
    internal static void UseTemplateSource()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlOpsTemplates.slnx")))
            {
                Repository.Root = Path.Combine(dir.FullName, "templates", "mlservice");
                return;
            }
        }

        throw new InvalidOperationException($"No MlOpsTemplates.slnx above {AppContext.BaseDirectory}.");
    }
}
