using System.Globalization;
using System.Net;
using System.Text;

namespace MlOps.Platform.Testing;

/// <summary>One sample of a Prometheus scrape: <c>name{label="value",...} 42</c>.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// GET /metrics parsed from the Prometheus text format, the way Prometheus reads it: every line that is
/// not a comment must be a well-formed sample, or the scrape fails.
/// </summary>
public sealed class MetricsScrape
{
    private MetricsScrape(string text, IReadOnlyList<MetricSample> samples)
    {
        Text = text;
        Samples = samples;
    }

    /// <summary>The scrape's raw text, as the service returned it.</summary>
    public string Text { get; }

    /// <summary>Every sample of the scrape, in the order of its lines.</summary>
    public IReadOnlyList<MetricSample> Samples { get; }

    /// <summary>GETs <c>/metrics</c> with <paramref name="client"/>, asserts a 200 and parses every sample; fails the test on a malformed line.</summary>
    public static async Task<MetricsScrape> GetAsync(HttpClient client)
    {
        var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        return new MetricsScrape(text, text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(Parse).ToList());
    }

    /// <summary>Samples of <paramref name="name"/> whose labels include all of <paramref name="labels"/> ("key=value").</summary>
    public IEnumerable<MetricSample> Find(string name, params string[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l =>
        {
            var (key, value) = (l[..l.IndexOf('=', StringComparison.Ordinal)], l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            return s.Labels.TryGetValue(key, out var actual) && actual == value;
        }));

    /// <summary>The sum over the matching samples; 0 when there is none (a series not yet created).</summary>
    public double Sum(string name, params string[] labels) => Find(name, labels).Sum(s => s.Value);

    private static MetricSample Parse(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var key = line[i..eq];
                line[eq + 1].Should().Be('"', $"label values are quoted: {line}");
                var value = new StringBuilder();
                for (i = eq + 2; line[i] != '"'; i++)
                {
                    value.Append(line[i] == '\\' ? line[++i] switch { 'n' => '\n', var c => c } : line[i]);
                }

                labels[key] = value.ToString();
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        line[i].Should().Be(' ', $"a sample is 'name{{labels}} value': {line}");
        var number = line[(i + 1)..].Split(' ')[0];
        var parsed = number switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        name.Should().MatchRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$", line);
        return new MetricSample(name, labels, parsed);
    }
}
