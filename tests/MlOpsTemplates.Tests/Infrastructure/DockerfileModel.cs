using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>One Dockerfile instruction, its continuation lines joined and comment lines dropped.</summary>
public sealed record DockerInstruction(int Line, string Keyword, string Arguments)
{
    public bool IsJsonForm => Arguments.StartsWith('[');

    /// <summary>The arguments of the exec (JSON array) form, or null for the shell form.</summary>
    public IReadOnlyList<string>? JsonArguments()
    {
        if (!IsJsonForm)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<string[]>(Arguments);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Leading --name[=value] flags (COPY, FROM, RUN ...) and the rest of the arguments.</summary>
    public (IReadOnlyDictionary<string, string> Flags, string Remainder) SplitFlags()
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = Arguments;
        while (rest.StartsWith("--", StringComparison.Ordinal))
        {
            var end = rest.IndexOfAny([' ', '\t']);
            var flag = end < 0 ? rest : rest[..end];
            rest = end < 0 ? string.Empty : rest[end..].TrimStart();
            var equals = flag.IndexOf('=', StringComparison.Ordinal);
            flags[equals < 0 ? flag[2..] : flag[2..equals]] = equals < 0 ? "true" : flag[(equals + 1)..];
        }

        return (flags, rest);
    }

    public override string ToString() => $"line {Line}: {Keyword} {Arguments}";
}

/// <summary>A build stage: FROM &lt;base&gt; [AS name] and the instructions up to the next FROM.</summary>
public sealed record DockerStage(int Index, string? Name, string Base, DockerInstruction From, IReadOnlyList<DockerInstruction> Instructions)
{
    /// <summary>How COPY --from and FROM refer to this stage: its name, or its index when it has none.</summary>
    public string Id => Name ?? Index.ToString(CultureInfo.InvariantCulture);

    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    public override string ToString() => $"stage {Id} (FROM {Base})";
}

/// <summary>
/// A Dockerfile parsed the way the Docker builder reads it: parser directives, comments, line
/// continuations, instructions grouped into stages.
/// </summary>
public sealed class DockerfileModel
{
    private DockerfileModel(IReadOnlyList<DockerInstruction> globalArgs, IReadOnlyList<DockerStage> stages)
    {
        GlobalArgs = globalArgs;
        Stages = stages;
    }

    /// <summary>ARG instructions before the first FROM (usable in FROM lines).</summary>
    public IReadOnlyList<DockerInstruction> GlobalArgs { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Final => Stages[^1];

    public IEnumerable<DockerInstruction> Instructions => GlobalArgs.Concat(Stages.SelectMany(s => s.Instructions.Prepend(s.From)));

    public static DockerfileModel Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>The stage a FROM or COPY --from refers to, or null when it names an image.</summary>
    public DockerStage? FindStage(string reference, int before) =>
        Stages.Take(before).LastOrDefault(s =>
            string.Equals(s.Name, reference, StringComparison.OrdinalIgnoreCase) ||
            s.Index.ToString(CultureInfo.InvariantCulture) == reference);

    /// <summary>Stages the build of <paramref name="target"/> needs, itself included (BuildKit builds only these).</summary>
    public IReadOnlyList<DockerStage> DependenciesOf(DockerStage target)
    {
        var needed = new SortedSet<int>();
        var pending = new Stack<DockerStage>([target]);
        while (pending.TryPop(out var stage))
        {
            if (!needed.Add(stage.Index))
            {
                continue;
            }

            var references = stage.All("COPY").Concat(stage.All("ADD"))
                .Select(i => i.SplitFlags().Flags.GetValueOrDefault("from"))
                .Append(stage.Base);
            foreach (var reference in references.OfType<string>())
            {
                if (FindStage(reference, stage.Index) is { } parent)
                {
                    pending.Push(parent);
                }
            }
        }

        return needed.Select(i => Stages[i]).ToArray();
    }

    public static DockerfileModel Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var first = ReadDirectives(lines);
        var instructions = new List<DockerInstruction>();
        for (var i = first; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = i;
            var joined = new StringBuilder();
            var current = lines[i].TrimEnd();
            // Continuation: a trailing backslash joins the next line; comment and empty lines inside are dropped.
            while (current.EndsWith('\\'))
            {
                joined.Append(current.AsSpan(0, current.Length - 1));
                do
                {
                    i++;
                }
                while (i < lines.Length && (lines[i].Trim().Length == 0 || lines[i].TrimStart().StartsWith('#')));

                current = i < lines.Length ? lines[i].TrimEnd() : string.Empty;
            }

            joined.Append(current);
            var content = joined.ToString().Trim();
            var space = content.IndexOfAny([' ', '\t']);
            var keyword = (space < 0 ? content : content[..space]).ToUpperInvariant();
            var arguments = space < 0 ? string.Empty : content[space..].Trim();
            instructions.Add(new DockerInstruction(start + 1, keyword, arguments));
        }

        return Group(instructions);
    }

    private static int ReadDirectives(string[] lines)
    {
        var i = 0;
        for (; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            var directive = System.Text.RegularExpressions.Regex.Match(line, @"^#\s*([a-zA-Z]+)\s*=\s*(.*)$");
            if (!directive.Success)
            {
                break;
            }

            if (directive.Groups[1].Value.Equals("escape", StringComparison.OrdinalIgnoreCase) && directive.Groups[2].Value.Trim() != "\\")
            {
                throw new NotSupportedException($"Only the default escape character '\\' is supported, got: {line}");
            }
        }

        return i;
    }

    private static DockerfileModel Group(List<DockerInstruction> instructions)
    {
        var globalArgs = instructions.TakeWhile(i => i.Keyword != "FROM").ToList();
        if (globalArgs.Any(i => i.Keyword != "ARG"))
        {
            throw new FormatException($"Only ARG may come before the first FROM: {globalArgs.First(i => i.Keyword != "ARG")}");
        }

        var globals = DockerWords.Declarations(globalArgs.SelectMany(a => DockerWords.Split(a.Arguments, null)))
            .ToDictionary(d => d.Name, d => d.Value, StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        foreach (var from in instructions.Skip(globalArgs.Count).Where(i => i.Keyword == "FROM"))
        {
            var position = instructions.IndexOf(from);
            var body = instructions.Skip(position + 1).TakeWhile(i => i.Keyword != "FROM").ToList();
            var (_, rest) = from.SplitFlags();
            var words = DockerWords.Split(rest, name => globals.GetValueOrDefault(name));
            var name = words.Count == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase)
                ? words[2].ToLowerInvariant()
                : words.Count == 1 ? null : throw new FormatException($"Unexpected FROM: {from}");
            stages.Add(new DockerStage(stages.Count, name, words[0], from, body));
        }

        return stages.Count > 0 ? new DockerfileModel(globalArgs, stages) : throw new FormatException("The Dockerfile has no FROM.");
    }
}

/// <summary>Docker's word splitting for ENV, ARG, LABEL, COPY ...: quotes, backslash escapes, $VAR and ${VAR} expansion.</summary>
public static class DockerWords
{
    /// <summary>Splits on unquoted whitespace; expands variables with <paramref name="lookup"/> (null: keep them as written).</summary>
    public static IReadOnlyList<string> Split(string text, Func<string, string?>? lookup)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == quote)
            {
                quote = null;
            }
            else if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '\\' && quote != '\'' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
            }
            else if (c == '$' && quote != '\'' && lookup is not null && i + 1 < text.Length)
            {
                i = Expand(text, i, lookup, word);
            }
            else
            {
                word.Append(c);
            }
        }

        if (quote is not null)
        {
            throw new FormatException($"Unterminated quote in: {text}");
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>The text with variables expanded and nothing split (WORKDIR, USER).</summary>
    public static string ExpandAll(string text, Func<string, string?> lookup)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length)
            {
                i = Expand(text, i, lookup, result);
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }

    /// <summary>
    /// name=value pairs of ENV, ARG and LABEL (an ARG may omit the value). With <paramref name="legacyForm"/>
    /// (ENV, LABEL), `name value with spaces` is one declaration, as Docker reads it.
    /// </summary>
    public static IReadOnlyList<(string Name, string? Value)> Declarations(IEnumerable<string> words, bool legacyForm = false)
    {
        var list = words.ToList();
        if (legacyForm && list.Count >= 2 && !list[0].Contains('=', StringComparison.Ordinal))
        {
            return [(list[0], string.Join(' ', list.Skip(1)))];
        }

        return list.Select(w =>
        {
            var equals = w.IndexOf('=', StringComparison.Ordinal);
            return equals < 0 ? (w, (string?)null) : (w[..equals], w[(equals + 1)..]);
        }).ToArray();
    }

    /// <summary>Expands the variable at text[start] == '$' into <paramref name="into"/>; returns the index of its last character.</summary>
    private static int Expand(string text, int start, Func<string, string?> lookup, StringBuilder into)
    {
        if (text[start + 1] == '{')
        {
            var end = text.IndexOf('}', start + 2);
            if (end < 0)
            {
                throw new FormatException($"Unterminated ${{ in: {text}");
            }

            var body = text[(start + 2)..end];
            var modifier = body.IndexOf(':', StringComparison.Ordinal);
            var name = modifier < 0 ? body : body[..modifier];
            var value = lookup(name);
            if (modifier >= 0 && body.Length > modifier + 1)
            {
                var word = body[(modifier + 2)..];
                value = body[modifier + 1] switch
                {
                    '-' => string.IsNullOrEmpty(value) ? word : value,
                    '+' => string.IsNullOrEmpty(value) ? string.Empty : word,
                    _ => throw new NotSupportedException($"Unsupported variable modifier in: {text}"),
                };
            }

            into.Append(value);
            return end;
        }

        var length = 0;
        while (start + 1 + length < text.Length && (char.IsAsciiLetterOrDigit(text[start + 1 + length]) || text[start + 1 + length] == '_'))
        {
            length++;
        }

        if (length == 0)
        {
            into.Append('$');
            return start;
        }

        into.Append(lookup(text.Substring(start + 1, length)));
        return start + length;
    }
}
