using Xunit.Abstractions;

namespace MlOpsTemplates.Tests.Infrastructure;

public static class Durations
{
    /// <summary>Prints how long each step of a scenario took (shared build steps included).</summary>
    public static void Report(ITestOutputHelper output, GeneratedRepo repo, params (string Step, TimeSpan Duration)[] ownSteps)
    {
        var steps = repo.Steps.Concat(ownSteps).ToArray();
        output.WriteLine($"[{repo.Scenario.Id}] repo: {repo.Root}");
        foreach (var (step, duration) in steps)
        {
            output.WriteLine($"[{repo.Scenario.Id}] {step,-28} {duration.TotalSeconds,7:F1} s");
        }

        output.WriteLine($"[{repo.Scenario.Id}] {"total",-28} {steps.Sum(s => s.Duration.TotalSeconds),7:F1} s");
    }
}
