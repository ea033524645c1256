using System.Text;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>A short unified-style diff around the first differing line of two texts.</summary>
public static class TextDiff
{
    private const int Context = 3;
    private const int MaxChangedLines = 20;

    public static string FirstDifference(string expected, string actual, string expectedLabel, string actualLabel)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var first = 0;
        while (first < expectedLines.Length && first < actualLines.Length && expectedLines[first] == actualLines[first])
        {
            first++;
        }

        // Trim the common tail so the hunk shows only what changed.
        int expectedEnd = expectedLines.Length, actualEnd = actualLines.Length;
        while (expectedEnd > first && actualEnd > first && expectedLines[expectedEnd - 1] == actualLines[actualEnd - 1])
        {
            expectedEnd--;
            actualEnd--;
        }

        var start = Math.Max(0, first - Context);
        var text = new StringBuilder();
        text.AppendLine($"--- {expectedLabel}");
        text.AppendLine($"+++ {actualLabel}");
        text.AppendLine($"@@ -{start + 1} +{start + 1} @@");
        for (var i = start; i < first; i++)
        {
            text.AppendLine($" {Visible(expectedLines[i])}");
        }

        AppendChanged(text, '-', expectedLines, first, expectedEnd);
        AppendChanged(text, '+', actualLines, first, actualEnd);
        for (var i = expectedEnd; i < Math.Min(expectedLines.Length, expectedEnd + Context); i++)
        {
            text.AppendLine($" {Visible(expectedLines[i])}");
        }

        return text.ToString();
    }

    private static void AppendChanged(StringBuilder text, char marker, string[] lines, int from, int to)
    {
        for (var i = from; i < to && i < from + MaxChangedLines; i++)
        {
            text.AppendLine($"{marker}{Visible(lines[i])}");
        }

        if (to - from > MaxChangedLines)
        {
            text.AppendLine($"{marker}... ({to - from - MaxChangedLines} more lines)");
        }
    }

    // Make otherwise invisible differences (line endings, BOM) show up in the diff.
    private static string Visible(string line) => line.Replace("\r", "\\r").Replace("\uFEFF", "\\uFEFF");
}
