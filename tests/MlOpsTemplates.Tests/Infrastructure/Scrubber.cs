using System.Text.RegularExpressions;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>Replaces values that differ on every instantiation so snapshots stay stable.</summary>
public static partial class Scrubber
{
    public static string Scrub(string text) => Guid().Replace(text, "{guid}");

    [GeneratedRegex(@"(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f])")]
    private static partial Regex Guid();
}
