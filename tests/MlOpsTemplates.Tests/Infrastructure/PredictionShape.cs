using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// The predict response of a model, by task: one prediction per instance; binary <c>{label: bool, probability,
/// score}</c>, multiclass <c>{label: class, probabilities: {class: p}}</c> (adding up to 1, the label the most
/// likely class), regression <c>{value}</c> (a finite number).
/// </summary>
public static class PredictionShape
{
    public static void Assert(
        string task, string request, JsonResponse response, Func<JsonResponse, string> context, IReadOnlyList<string>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(context);
        response.Status.Should().Be(HttpStatusCode.OK, context(response));
        var instances = JsonNode.Parse(request)!["instances"]!.AsArray().Count;
        instances.Should().BePositive("the example request must hold instances");
        var predictions = response.Required("predictions").AsArray();
        predictions.Should().HaveCount(instances, "one prediction per instance: " + context(response));
        foreach (var node in predictions)
        {
            var prediction = node!.AsObject();
            var because = $"a {task} prediction: {context(response)}";
            switch (task)
            {
                case "binary":
                    prediction.Select(p => p.Key).Should().BeEquivalentTo(["label", "probability", "score"], because);
                    prediction["label"]!.GetValueKind().Should().BeOneOf([JsonValueKind.True, JsonValueKind.False], because);
                    prediction["probability"]!.GetValue<double>().Should().BeInRange(0, 1, because);
                    double.IsFinite(prediction["score"]!.GetValue<double>()).Should().BeTrue(because);
                    break;
                case "multiclass":
                    prediction.Select(p => p.Key).Should().BeEquivalentTo(["label", "probabilities"], because);
                    var label = prediction["label"]!.GetValue<string>();
                    var probabilities = prediction["probabilities"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());
                    probabilities.Should().HaveCountGreaterThanOrEqualTo(2, because);
                    if (classes is not null)
                    {
                        probabilities.Keys.Should().BeEquivalentTo(classes, "a probability per class of the model: " + because);
                    }

                    probabilities.Values.Should().OnlyContain(p => p >= 0 && p <= 1, because);
                    probabilities.Values.Sum().Should().BeApproximately(1, 1e-3, because);
                    probabilities.Should().ContainKey(label, because);
                    probabilities[label].Should().Be(probabilities.Values.Max(), "the label is the most likely class: " + because);
                    break;
                case "regression":
                    prediction.Select(p => p.Key).Should().Equal(["value"], because);
                    double.IsFinite(prediction["value"]!.GetValue<double>()).Should().BeTrue(because);
                    break;
                default:
                    throw new ArgumentException($"Unknown task '{task}'.", nameof(task));
            }
        }
    }
}
