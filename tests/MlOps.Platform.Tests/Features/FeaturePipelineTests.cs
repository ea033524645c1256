using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlOps.Platform.Tests.Features;

/// <summary>
/// The feature pipeline each model's definition builds: numbers and one-hot categories, min-max scaled with zero kept
/// at zero (so into [0, 1] for a feature that is never negative, [-1, 1] for one that can be).
/// </summary>
public class FeaturePipelineTests
{
    public static TheoryData<string> Models => [.. ModelCatalog.Names];

    [Theory]
    [MemberData(nameof(Models))]
    public void Features_are_the_numbers_plus_one_hot_categories_scaled_into_minus_one_to_one(string name)
    {
        var model = ModelCatalog.Find(name)!;
        var rows = SampleRows(model, 40);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows, model.InputSchema);

        var transformed = model.BuildFeaturePipeline(ml).Fit(data).Transform(data);
        var vectors = transformed.GetColumn<VBuffer<float>>(FeatureRow.FeaturesColumn)
            .Select(v => v.DenseValues().ToArray())
            .ToList();

        // Each categorical slot is one-hot over every category of the model (one dictionary, in definition order).
        var categories = model.CategoricalFeatures.SelectMany(c => c.Allowed).Distinct().Count();
        var numbers = model.NumericFeatures.Count;
        vectors.Should().HaveCount(rows.Count).And.OnlyContain(v => v.Length == numbers + (model.CategoricalFeatures.Count * categories));
        vectors.SelectMany(v => v).Should().OnlyContain(x => x >= -1 && x <= 1);
        vectors.Max(v => v.Take(numbers).Max(Math.Abs)).Should().Be(1, "the largest magnitude of a feature scales to 1");
        foreach (var (row, vector) in rows.Zip(vectors))
        {
            vector.Skip(numbers).Count(x => x == 1).Should().Be(model.CategoricalFeatures.Count, "one category is on per categorical feature");
        }

        var first = rows.FindIndex(r => r.Categories.SequenceEqual(rows[0].Categories) is false);
        vectors[0].Skip(numbers).Should().NotEqual(vectors[first].Skip(numbers), "different categories encode differently");
    }

    private static List<FeatureRow> SampleRows(ModelDefinition model, int count)
    {
        var lines = File.ReadAllLines(Repository.DataPath(model));
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Take(count).Select(line =>
        {
            var cells = line.Split(',');
            var record = header.Select((h, i) => (h, i)).Where(p => p.h != model.Label.Name)
                .ToDictionary(p => p.h, p => RawValue.FromCsv(cells[p.i]));
            var errors = new List<FeatureError>();
            return model.Validate(record, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
        })];
    }
}
