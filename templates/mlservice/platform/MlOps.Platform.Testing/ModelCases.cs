namespace MlOps.Platform.Testing;

/// <summary>Records built from a model's definition, for the feature tests of every model.</summary>
public static class ModelCases
{
    /// <summary>The model's canary as a record, as it would arrive from a CSV row or a request.</summary>
    public static Dictionary<string, RawValue> ValidRecord(ModelDefinition model) =>
        model.Features.ToDictionary(f => f.Name, f => model.Canary[f.Name], StringComparer.Ordinal);

    /// <summary>Per numeric feature and categorical feature of the model, one invalid CSV value and the message it gets.</summary>
    public static IEnumerable<(string Field, string Value, string Expected)> InvalidValues(ModelDefinition model)
    {
        foreach (var numeric in model.NumericFeatures)
        {
            yield return (numeric.Name, Csv(numeric.Min - 1), "between");
            yield return (numeric.Name, Csv(numeric.Max + 1), "between");
            yield return (numeric.Name, "cheap", "must be a number");
            yield return (numeric.Name, "NaN", "finite");
            if (numeric.WholeNumber)
            {
                yield return (numeric.Name, Csv(Math.Floor((numeric.Min + numeric.Max) / 2) + 0.5), "whole number");
            }
        }

        foreach (var categorical in model.CategoricalFeatures)
        {
            yield return (categorical.Name, "not-a-category", "must be one of");
            yield return (categorical.Name, "", "is required");
        }
    }

    private static string Csv(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
