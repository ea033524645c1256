using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace MlOps.Platform.Training;

/// <summary>One data row of a CSV file: the line it starts on (1-based, the header is line 1) and its cells.</summary>
public sealed record CsvRow(int Line, IReadOnlyList<string> Cells);

/// <summary>
/// A CSV file as teams have them: a header row; comma, semicolon or tab as the delimiter (found from the header);
/// fields quoted with <c>"</c> (holding delimiters, doubled quotes or line breaks); UTF-8 with or without a byte-order
/// mark; empty cells kept as empty strings (missing values). Anything unusable is refused with a
/// <see cref="TrainingException"/> that names the line and says what to do.
/// </summary>
public sealed record CsvFile(string Source, char Delimiter, IReadOnlyList<string> Header, IReadOnlyList<CsvRow> Rows)
{
    /// <summary>The delimiters recognised, in order of preference when a header holds several.</summary>
    public static IReadOnlyList<char> Delimiters { get; } = [.. DelimiterChars];

    private const string DelimiterChars = ",;\t";

    /// <summary>The index of <paramref name="column"/> in the header, or -1.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Header.Count; i++)
        {
            if (Header[i] == column)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Reads and parses the file at <paramref name="path"/>; see <see cref="Parse(byte[], string, char?)"/>.</summary>
    public static CsvFile Read(string path, char? delimiter = null)
    {
        if (!File.Exists(path))
        {
            throw new TrainingException($"'{path}' does not exist.");
        }

        return Parse(File.ReadAllBytes(path), path, delimiter);
    }

    /// <summary>Parses CSV bytes: checks the encoding, then parses as <see cref="Parse(string, string, char?)"/> does.</summary>
    public static CsvFile Parse(byte[] bytes, string source, char? delimiter = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ReadOnlySpan<byte> content = bytes;
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }

        var chars = new char[content.Length];
        var status = Utf8.ToUtf16(content, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            var line = content[..read].Count((byte)'\n') + 1;
            throw new TrainingException(
                $"'{source}' is not UTF-8 text: line {line} has a byte (0x{content[read]:X2}) that is not UTF-8. "
                + "Save the file as UTF-8 (for example: iconv -f latin1 -t utf-8 in.csv > out.csv) and try again.");
        }

        return Parse(new string(chars, 0, written), source, delimiter);
    }

    /// <summary>
    /// Parses CSV text. <paramref name="delimiter"/> forces the delimiter; otherwise the one of
    /// <see cref="Delimiters"/> found most often in the header (outside quotes) is used. Blank lines are skipped.
    /// </summary>
    public static CsvFile Parse(string text, string source, char? delimiter = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new TrainingException($"'{source}' is empty: expected a header row with the column names, then one row per example.");
        }

        var chosen = delimiter ?? FindDelimiter(text, source);
        var records = Records(text, chosen, source);
        var (_, header) = records[0];
        CheckHeader(header, source);
        var rows = new List<CsvRow>(records.Count - 1);
        foreach (var (line, cells) in records.Skip(1))
        {
            if (cells.Count != header.Count)
            {
                throw new TrainingException(
                    $"'{source}' line {line} has {cells.Count} values, the header has {header.Count} "
                    + $"(delimiter '{Describe(chosen)}'). Quote values that contain the delimiter, or fix the row.");
            }

            rows.Add(new CsvRow(line, cells));
        }

        return new CsvFile(source, chosen, header.Select(h => h.Trim()).ToArray(), rows);
    }

    /// <summary>The cells of one line (a header or a row without line breaks inside quotes), split at <paramref name="delimiter"/> outside quotes.</summary>
    public static IReadOnlyList<string> SplitLine(string line, char delimiter = ',')
    {
        ArgumentNullException.ThrowIfNull(line);
        var records = Records(line, delimiter, "line");
        return records.Count == 0 ? [string.Empty] : records[0].Cells;
    }

    /// <summary>A cell written for a comma-separated file: quoted when it holds a comma, a quote or a line break.</summary>
    public static string Quote(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }

    private static string Describe(char delimiter) => delimiter == '\t' ? "tab" : delimiter.ToString();

    private static char FindDelimiter(string text, string source)
    {
        var counts = new int[Delimiters.Count];
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\n' or '\r')
            {
                if (counts.Any(n => n > 0))
                {
                    break;
                }
            }
            else if (!quoted && DelimiterChars.IndexOf(c, StringComparison.Ordinal) is >= 0 and var delimiter)
            {
                counts[delimiter]++;
            }
        }

        var best = counts.Max();
        if (best == 0)
        {
            throw new TrainingException(
                $"'{source}' has one column only: its header has no comma, semicolon or tab. "
                + "A model needs at least one feature column and the label column, separated by one of these.");
        }

        return Delimiters[Array.IndexOf(counts, best)];
    }

    private static void CheckHeader(IReadOnlyList<string> header, string source)
    {
        var names = header.Select(h => h.Trim()).ToArray();
        if (names.All(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            throw new TrainingException(
                $"'{source}' has no header: its first row is all numbers ({string.Join(", ", names.Take(4))}...). "
                + "Add a first row with the name of each column.");
        }

        var unnamed = Array.FindIndex(names, n => n.Length == 0);
        if (unnamed >= 0)
        {
            throw new TrainingException($"'{source}': column {unnamed + 1} of the header has no name. Name every column.");
        }

        var duplicate = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var positions = names.Select((n, i) => (n, i)).Where(p => string.Equals(p.n, duplicate.Key, StringComparison.OrdinalIgnoreCase)).Select(p => p.i + 1);
            throw new TrainingException(
                $"'{source}': the header names the column '{duplicate.Key}' more than once (columns {string.Join(" and ", positions)}). "
                + "Give each column its own name.");
        }
    }

    /// <summary>Splits the text into records of cells, each with the line it starts on; blank lines are skipped.</summary>
    private static List<(int Line, List<string> Cells)> Records(string text, char delimiter, string source)
    {
        var records = new List<(int, List<string>)>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        var wasQuoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.ToString().Trim().Length == 0)
            {
                quoted = true;
                wasQuoted = true;
                cell.Clear();
            }
            else if (c == delimiter)
            {
                cells.Add(Finish(cell, wasQuoted));
                wasQuoted = false;
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                EndRecord();
                line++;
                start = line;
            }
            else
            {
                cell.Append(c);
            }
        }

        if (quoted)
        {
            throw new TrainingException($"'{source}' line {start} opens a quoted value that is never closed. Close the quote (\") or remove it.");
        }

        EndRecord();
        return records;

        void EndRecord()
        {
            cells.Add(Finish(cell, wasQuoted));
            wasQuoted = false;
            if (cells.Count > 1 || cells[0].Length > 0)
            {
                records.Add((start, cells));
            }

            cells = [];
        }
    }

    private static string Finish(StringBuilder cell, bool wasQuoted)
    {
        var value = wasQuoted ? cell.ToString() : cell.ToString().Trim();
        cell.Clear();
        return value;
    }
}
