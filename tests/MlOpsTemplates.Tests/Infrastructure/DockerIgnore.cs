using System.Text;
using System.Text.RegularExpressions;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// A .dockerignore, matched as Docker's pattern matcher does: patterns are anchored at the context
/// root (no implicit "any depth" as in .gitignore), `*` and `?` stay within one path segment, `**`
/// spans any number of segments, a pattern that matches a folder excludes everything below it, and
/// the last matching pattern wins (`!` re-includes).
/// </summary>
public sealed class DockerIgnore
{
    private readonly IReadOnlyList<(Regex Regex, bool Reinclude, string Text)> _patterns;

    private DockerIgnore(IReadOnlyList<(Regex, bool, string)> patterns) => _patterns = patterns;

    public static DockerIgnore None { get; } = new([]);

    public IReadOnlyList<string> Patterns => _patterns.Select(p => (p.Reinclude ? "!" : string.Empty) + p.Text).ToArray();

    /// <summary>The context's .dockerignore, or one that excludes nothing when there is none.</summary>
    public static DockerIgnore Load(string contextRoot)
    {
        var path = Path.Combine(contextRoot, ".dockerignore");
        return File.Exists(path) ? Parse(File.ReadAllText(path)) : None;
    }

    public static DockerIgnore Parse(string text)
    {
        var patterns = new List<(Regex, bool, string)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var reinclude = line.StartsWith('!');
            var pattern = Clean(reinclude ? line[1..].Trim() : line);
            if (pattern.Length > 0)
            {
                patterns.Add((new Regex(ToRegex(pattern), RegexOptions.CultureInvariant), reinclude, pattern));
            }
        }

        return new DockerIgnore(patterns);
    }

    /// <summary>True when <paramref name="relativePath"/> ('/'-separated, relative to the context) is left out.</summary>
    public bool IsExcluded(string relativePath)
    {
        var path = Clean(relativePath);
        var segments = path.Split('/');
        var excluded = false;
        foreach (var (regex, reinclude, _) in _patterns)
        {
            // As Docker: an exclusion is only tried on a path not yet excluded, a re-inclusion only on an excluded one.
            if (reinclude != excluded)
            {
                continue;
            }

            var match = regex.IsMatch(path);
            for (var i = 1; !match && i < segments.Length; i++)
            {
                match = regex.IsMatch(string.Join('/', segments.Take(i)));
            }

            if (match)
            {
                excluded = !reinclude;
            }
        }

        return excluded;
    }

    /// <summary>filepath.Clean of the pattern, relative to the root: no leading '/' or './', no trailing '/'.</summary>
    private static string Clean(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Replace('\\', '/').Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == ".." && segments.Count > 0)
            {
                segments.RemoveAt(segments.Count - 1);
            }
            else
            {
                segments.Add(segment);
            }
        }

        return string.Join('/', segments);
    }

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                    }

                    regex.Append(i + 1 >= pattern.Length ? ".*" : "(.*/)?");
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException($"Unterminated character class in .dockerignore pattern '{pattern}'.");
                    }

                    var set = pattern[(i + 1)..end];
                    regex.Append('[').Append(set.StartsWith('^') || set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = end;
                    break;
                case '\\' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.Append('$').ToString();
    }
}
