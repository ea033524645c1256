using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlOps.Platform.Training;

/// <summary>
/// Training parameters of one model from its <c>params/&lt;name&gt;.yaml</c>, flattened to dotted keys (<c>sdca.max_iterations</c>)
/// and optionally overridden from the command line with <c>--set key=value</c>.
/// </summary>
public sealed class TrainingParams
{
    private readonly SortedDictionary<string, string> _values;

    private TrainingParams(SortedDictionary<string, string> values, string source)
    {
        _values = values;
        Source = source;
    }

    /// <summary>The file the parameters were read from.</summary>
    public string Source { get; }

    /// <summary>Every parameter by dotted key, with the overrides applied, in key order.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>The <c>seed</c> parameter: seeds the ML.NET context, the train/test split and the trainers.</summary>
    public int Seed => GetInt("seed");

    /// <summary>The <c>test_fraction</c> parameter: the share of rows held out for evaluation.</summary>
    public double TestFraction => GetDouble("test_fraction");

    /// <summary>The <c>trainer</c> parameter: one of <see cref="TrainerFactory.Available"/>.</summary>
    public string Trainer => GetString("trainer");

    /// <summary>Reads the params file at <paramref name="path"/> as <see cref="Parse"/> does; a <see cref="TrainingException"/> when it does not exist.</summary>
    public static TrainingParams Load(string path, IEnumerable<KeyValuePair<string, string>> overrides)
    {
        if (!File.Exists(path))
        {
            throw new TrainingException($"Parameters file '{path}' does not exist.");
        }

        return Parse(File.ReadAllText(path), path, overrides);
    }

    /// <summary>Flattens <paramref name="yaml"/> to dotted keys and applies <paramref name="overrides"/>, each of which must name a key the YAML has; <paramref name="source"/> names the file in messages.</summary>
    public static TrainingParams Parse(string yaml, string source, IEnumerable<KeyValuePair<string, string>> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count > 0)
            {
                Flatten(stream.Documents[0].RootNode, prefix: null, values);
            }
        }
        catch (YamlException ex)
        {
            throw new TrainingException($"Parameters file '{source}' is not valid YAML: {ex.Message}", ex);
        }

        foreach (var (key, value) in overrides)
        {
            if (!values.ContainsKey(key))
            {
                throw new TrainingException($"Unknown parameter '{key}'. Known: {string.Join(", ", values.Keys)}.");
            }

            values[key] = value;
        }

        return new TrainingParams(values, source);
    }

    /// <summary>The value of <paramref name="key"/>; a <see cref="TrainingException"/> when it is missing.</summary>
    public string GetString(string key) =>
        _values.TryGetValue(key, out var value)
            ? value
            : throw new TrainingException($"Parameter '{key}' is missing from {Source}.");

    /// <summary>The value of <paramref name="key"/> as a whole number; a <see cref="TrainingException"/> when it is missing or not one.</summary>
    public int GetInt(string key) =>
        int.TryParse(GetString(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new TrainingException($"Parameter '{key}' must be a whole number, got '{GetString(key)}'.");

    /// <summary>The value of <paramref name="key"/> as a finite number; a <see cref="TrainingException"/> when it is missing or not one.</summary>
    public double GetDouble(string key) =>
        double.TryParse(GetString(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new TrainingException($"Parameter '{key}' must be a number, got '{GetString(key)}'.");

    private static void Flatten(YamlNode node, string? prefix, SortedDictionary<string, string> values)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, child) in mapping.Children)
                {
                    var name = ((YamlScalarNode)key).Value!;
                    Flatten(child, prefix is null ? name : $"{prefix}.{name}", values);
                }

                break;
            case YamlScalarNode scalar when prefix is not null:
                values[prefix] = scalar.Value ?? string.Empty;
                break;
            default:
                throw new TrainingException($"Parameter '{prefix}' must be a single value or a group of values.");
        }
    }
}
