using System.Text.RegularExpressions;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>The targets and variables of a generated Makefile, read from its text.</summary>
public sealed partial class MakefileModel
{
    private MakefileModel(string text)
    {
        Text = text;
        DocumentedTargets = TargetLine().Matches(text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["doc"].Value.Trim(), StringComparer.Ordinal);
        Variables = VariableLine().Matches(text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value.Trim(), StringComparer.Ordinal);
        PhonyTargets = PhonyLine().Matches(text).SelectMany(m => m.Groups["targets"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
    }

    public string Text { get; }

    /// <summary>Targets with their `## description`.</summary>
    public IReadOnlyDictionary<string, string> DocumentedTargets { get; }

    public IReadOnlySet<string> PhonyTargets { get; }

    /// <summary>`NAME ?= value` and `NAME := value` definitions.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    public static MakefileModel Load(string repoRoot) => new(File.ReadAllText(Path.Combine(repoRoot, "Makefile")));

    [GeneratedRegex(@"^(?<name>[a-z][a-z-]*):[^=\n]*?## (?<doc>.+)$", RegexOptions.Multiline)]
    private static partial Regex TargetLine();

    [GeneratedRegex(@"^(?<name>[A-Z_]+) *[?:]?= *(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex VariableLine();

    [GeneratedRegex(@"^\.PHONY: *(?<targets>.+)$", RegexOptions.Multiline)]
    private static partial Regex PhonyLine();
}
