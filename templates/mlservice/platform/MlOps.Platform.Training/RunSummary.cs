using System.Globalization;
using System.Text;

namespace MlOps.Platform.Training;

/// <summary>
/// The outcome of a training run as Markdown, appended to a job summary: in GitHub Actions the file named by
/// <c>GITHUB_STEP_SUMMARY</c>, so a pull request shows each model's metric beside the champion's and the gate's verdict.
/// </summary>
public static class RunSummary
{
    /// <summary>The environment variable GitHub Actions sets to the job summary file.</summary>
    public const string GitHubVariable = "GITHUB_STEP_SUMMARY";

    /// <summary>Appends the summary of <paramref name="run"/> to <paramref name="path"/>.</summary>
    public static void Append(string path, RunRecord run, string championPath)
    {
        ArgumentNullException.ThrowIfNull(run);
        File.AppendAllText(path, Render(run, championPath));
    }

    /// <summary>The Markdown of one run: a heading with the verdict, a table of the primary metric, the gate's reasons.</summary>
    private static string Render(RunRecord run, string championPath)
    {
        ArgumentNullException.ThrowIfNull(run);
        var gate = run.Gate;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Model `{run.Model}` ({run.Task}): {run.Status}");
        text.AppendLine();
        if (gate.PrimaryMetric is { } primary && run.Primary is { } value)
        {
            var name = TaskMetrics.DisplayName(primary);
            text.AppendLine(CultureInfo.InvariantCulture, $"| Model | {name} | Change |");
            text.AppendLine("| --- | ---: | ---: |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| This run `{run.RunId}` | {value:F4} | |");
            text.Append(Row($"Champion `{gate.ChampionVersion}` ({championPath})", gate.ChampionVersion is null ? null : gate.ChampionValue, value));
            text.Append(Row($"Serving `{gate.ServingVersion}`", gate.ServingVersion is null ? null : gate.ServingValue, value));
            text.AppendLine();
            text.AppendLine(gate.ChampionVersion is null
                ? $"No champion is recorded in `{championPath}`: `make promote` records one."
                : gate.ChampionCompared == true
                    ? string.Create(CultureInfo.InvariantCulture, $"Compared with the champion on the same data; `quality_gate.max_regression` allows {gate.MaxRegression:F4}.")
                    : "The champion was measured on other data: not compared.");
            text.AppendLine();
        }

        foreach (var reason in gate.Reasons)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {reason}");
        }

        if (run.Error is { } error)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- Error: {error}");
        }

        text.AppendLine();
        return text.ToString();
    }

    private static string Row(string label, double? reference, double value) =>
        reference is { } other
            ? string.Create(CultureInfo.InvariantCulture, $"| {label} | {other:F4} | {value - other:+0.0000;-0.0000;0.0000} |{Environment.NewLine}")
            : string.Empty;
}
