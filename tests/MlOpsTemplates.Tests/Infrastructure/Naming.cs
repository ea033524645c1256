using System.Text.RegularExpressions;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>The names the template derives from -n, computed the way template.json's forms do.</summary>
public static partial class Naming
{
    /// <summary>
    /// Kubernetes object and image name: lowercase, runs of other characters become '-', no leading or trailing '-',
    /// and "ml-" in front of a leading digit (a Service name must start with a letter).
    /// </summary>
    public static string DnsLabel(string name)
    {
        var label = NonAlphanumeric().Replace(name.ToLowerInvariant(), "-").Trim('-');
        return char.IsAsciiDigit(label[0]) ? "ml-" + label : label;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();
}
