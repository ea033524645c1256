using System.Globalization;
using System.IO.Compression;

namespace MlOps.Platform.Tests.Fixtures;

/// <summary>
/// A real public dataset as a team would bring it (a header row, then one comma-separated row per record),
/// read from the copy a Debian package installs. None of them was designed for these tests.
/// </summary>
public sealed record PublicDataset(string Name, IReadOnlyList<string> Header, IReadOnlyList<string[]> Rows)
{
    private const string Sklearn = "/usr/lib/python3/dist-packages/sklearn/datasets/data";
    private const string Statsmodels = "/usr/lib/python3/dist-packages/statsmodels/datasets";
    private static readonly string[] s_cancerKinds = ["mean", "error", "worst"];
    private static readonly string[] s_cancerMeasures =
        ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity", "concave_points", "symmetry", "fractal_dimension"];
    private static readonly string[] s_irisSpecies = ["setosa", "versicolor", "virginica"];

    /// <summary>Wisconsin breast cancer (scikit-learn): 569 rows, 30 numeric features of narrow ranges; binary.</summary>
    public static PublicDataset Cancer => Bundled("breast_cancer.csv", "malignant",
        [.. s_cancerKinds.SelectMany(kind => s_cancerMeasures.Select(measure => $"{measure}_{kind}"))],
        code => code == "0" ? "true" : "false");

    /// <summary>Fisher's iris (scikit-learn): 150 rows sorted by class, 4 narrow numeric features; multiclass.</summary>
    public static PublicDataset Iris => Bundled("iris.csv", "species", ["sepal_length", "sepal_width", "petal_length", "petal_width"],
        code => s_irisSpecies[int.Parse(code, CultureInfo.InvariantCulture)]);

    /// <summary>Wine recognition (scikit-learn): 178 rows sorted by cultivar, 13 numeric features; multiclass coded 0..2.</summary>
    public static PublicDataset Wine => Bundled("wine_data.csv", "cultivar",
        ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids", "nonflavanoid_phenols",
         "proanthocyanins", "color_intensity", "hue", "od280_od315", "proline"],
        code => code);

    /// <summary>Diabetes progression (scikit-learn, raw units): 442 rows, sex coded 1/2; regression.</summary>
    public static PublicDataset Diabetes
    {
        get
        {
            var features = ReadLines(Path.Combine(Sklearn, "diabetes_data_raw.csv.gz")).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var target = ReadLines(Path.Combine(Sklearn, "diabetes_target.csv.gz"))
                .Select(t => double.Parse(t, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
            return new("diabetes", ["age", "sex", "bmi", "bp", "tc", "ldl", "hdl", "tch", "ltg", "glu", "progression"],
                [.. features.Zip(target, (row, y) => row.Append(y).ToArray())]);
        }
    }

    /// <summary>Fair's affairs survey (statsmodels): 6,366 rows; four integer-coded categories only; binary.</summary>
    public static PublicDataset Affairs
    {
        get
        {
            var lines = ReadLines(Path.Combine(Statsmodels, "fair", "fair.csv")).ToList();
            var header = lines[0].Split(',').Select(h => h.Trim('"')).ToList();
            int At(string column) => header.IndexOf(column);
            return new("affairs", ["rate_marriage", "religious", "occupation", "occupation_husb", "had_affair"],
            [
                .. lines.Skip(1).Select(l => l.Split(',')).Select(c => new[]
                {
                    c[At("rate_marriage")], c[At("religious")], c[At("occupation")], c[At("occupation_husb")],
                    double.Parse(c[At("affairs")], CultureInfo.InvariantCulture) > 0 ? "true" : "false",
                }),
            ]);
        }
    }

    /// <summary>Spector and Mazzeo's teaching method study (statsmodels): 32 rows, a 0/1-coded category; binary.</summary>
    public static PublicDataset Spector
    {
        get
        {
            var rows = ReadLines(Path.Combine(Statsmodels, "spector", "spector.csv")).Skip(1)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(c => new[] { c[1], c[2], c[3], c[4] == "1" ? "true" : "false" });
            return new("spector", ["gpa", "tuce", "psi", "improved"], [.. rows]);
        }
    }

    /// <summary>The dataset as CSV text: the header, then the rows.</summary>
    public string ToCsv() => string.Join('\n', Rows.Select(r => string.Join(',', r)).Prepend(string.Join(',', Header))) + "\n";

    /// <summary>The values of <paramref name="column"/>, in row order.</summary>
    public IEnumerable<string> Column(string column)
    {
        var index = Header.ToList().IndexOf(column);
        return Rows.Select(r => r[index]);
    }

    /// <summary>A scikit-learn bundled file: a first line of counts and class names, then features and a class code per row.</summary>
    private static PublicDataset Bundled(string file, string label, string[] features, Func<string, string> labelOf)
    {
        var rows = ReadLines(Path.Combine(Sklearn, file)).Skip(1).Select(l => l.Split(','))
            .Select(c => c[..^1].Append(labelOf(c[^1])).ToArray());
        return new(Path.GetFileNameWithoutExtension(file), [.. features, label], [.. rows]);
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path} is missing: install the Debian packages python3-sklearn and python3-statsmodels (build/install-test-tools.sh does).", path);
        }

        using var stream = File.OpenRead(path);
        using var reader = new StreamReader(path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }
}
