using System.Globalization;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// `make loadtest` lets a team measure its own service the way the pack's benchmark does: Release build,
/// Production settings, one model's example request under wrk (MODEL=<name>, the first model by name otherwise);
/// it prints figures that parse, with no errors.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class LoadTestTargetTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Make_loadtest_prints_throughput_latency_and_zero_errors()
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get("defaults"));

        var result = (await Make.RunAsync(repo.Root, ["loadtest", "DURATION=2"], repo.Log("make-loadtest"))).EnsureSuccess();
        output.WriteLine(result.Output);

        var requestsPerSecond = Figure(result.Output, "requests/s");
        var instancesPerSecond = Figure(result.Output, "instances/s");
        var p50 = Figure(result.Output, "latency p50");
        var p99 = Figure(result.Output, "latency p99");
        requestsPerSecond.Should().BeGreaterThan(0, result.ToString());
        instancesPerSecond.Should().BeApproximately(requestsPerSecond * 2, requestsPerSecond * 0.01 + 1, "the example request holds two instances");
        p50.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(p99, result.ToString());
        Figure(result.Output, "errors").Should().Be(0, "every request of the load test must succeed: " + result);
        result.Output.Should().Contain("in Production", "the service is measured with its production settings");
        result.Output.Should().Contain("model churn, churn.json", "without MODEL the first model is loaded with its example request");
        result.Output.Should().NotMatchRegex("loadtest-[0-9a-f]{32}", "the throwaway API key is never printed");
    }

    [Theory]
    [MemberData(nameof(Scenarios.WithAddedModelsIds), MemberType = typeof(Scenarios))]
    public async Task Make_loadtest_refuses_a_model_the_repository_does_not_have_and_lists_its_models(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var models = string.Join(' ', new[] { "churn" }.Concat(tree.Scenario.Additions.Select(a => a.Name)).Order(StringComparer.Ordinal));

        var result = await Make.RunAsync(tree.Root, ["loadtest", "MODEL=nosuch"], Path.Combine(tree.Root, "..", "make-loadtest-nosuch.log"));

        result.Succeeded.Should().BeFalse(result.ToString());
        result.Output.Should().Contain($"no model named 'nosuch'; this repository has: {models}.", "the refusal lists the models to choose from");
        result.Output.Should().NotContain("Building the API", "nothing is built for a model that does not exist");
    }

    [Fact]
    public async Task Make_loadtest_without_wrk_names_it_and_how_to_install_it()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));

        var result = await Make.RunAsync(tree.Root, ["loadtest"], Path.Combine(tree.Root, "..", "make-loadtest-without-wrk.log"), ToolPath.Without("wrk"));

        result.Succeeded.Should().BeFalse(result.ToString());
        result.Output.Should().Contain("'wrk' is not installed").And.Contain("apt-get install wrk", "the message says how to get wrk");
    }

    /// <summary>The number printed after "<paramref name="label"/>:" (units after it are ignored).</summary>
    private static double Figure(string text, string label)
    {
        var match = Regex.Match(text, $@"(?m)^{Regex.Escape(label)}:\s+([0-9]+(?:\.[0-9]+)?)\b");
        match.Success.Should().BeTrue($"make loadtest prints '{label}: <number>':{Environment.NewLine}{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
