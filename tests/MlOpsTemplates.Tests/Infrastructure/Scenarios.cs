namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>The scenarios every test family runs over, addressed by id so test names stay readable.</summary>
public static class Scenarios
{
    public const string MlService = "mlservice";

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("defaults", MlService, "Acme.Churn", [], RestoreByPostAction: true),
        // Besides its trainer, each of these exercises other option values, so every value is generated,
        // built and tested without a scenario per value.
        new("trainer-fasttree", MlService, "Acme.Churn", ["-t", "fasttree", "--dvc-remote", "gcs"]),
        new("trainer-lightgbm", MlService, "Acme.Churn", ["-t", "lightgbm", "--dvc-remote", "azure", "--owner", "acme/ml-platform", "--registry", "registry.acme.io/ml", "--database", "postgres"]),
        new("no-ci-no-deploy", MlService, "Acme.Churn", ["--ci", "none", "--deploy", "none", "--dvc-remote", "local", "--auth", "none", "--database", "none"]),
        // Every naming rule at once: a leading digit, hyphens, three dotted parts, mixed case.
        new("name-odd", MlService, "3d-vision.Fraud.scoring", []),
        // The first model's task, and models added afterwards with make add-model (each repo then has two or three tasks).
        new("task-multiclass", MlService, "Acme.Plans", ["--task", "multiclass"]),
        new("task-regression", MlService, "Acme.Demand", ["--task", "regression", "-t", "fasttree"]),
        new("added-model", MlService, "Acme.Churn", [], AddedModels: [new("fraud", "regression")]),
        new("two-added-models", MlService, "Acme.Churn", ["--auth", "none", "-t", "lightgbm"], AddedModels: [new("fraud", "regression"), new("segment", "multiclass")]),
    ];

    /// <summary>Scenarios with models added by make add-model after generation.</summary>
    public static IReadOnlyList<Scenario> WithAddedModels { get; } = All.Where(s => s.Additions.Count > 0).ToArray();

    public static TheoryData<string> WithAddedModelsIds => ToTheoryData(WithAddedModels);

    /// <summary>Scenarios that differ by trainer: each is trained and served end to end.</summary>
    public static IReadOnlyList<Scenario> Trainers { get; } =
        All.Where(s => s.Id is "defaults" || s.Id.StartsWith("trainer-", StringComparison.Ordinal)).ToArray();

    /// <summary>
    /// GitHub workflows without Kubernetes: the one combination of the CI and deploy options that no scenario of
    /// <see cref="All"/> builds. Only generated (never built), for the workflow and change-detection checks.
    /// </summary>
    public static Scenario GitHubCiWithoutKubernetes { get; } = new("ci-github-deploy-none", MlService, "Acme.Churn", ["--deploy", "none"]);

    /// <summary>Scenarios that generate GitHub workflows (every one but --ci none).</summary>
    public static IReadOnlyList<Scenario> WithGitHubCi { get; } = All.Where(s => s.OptionValue("--ci") is null or "github").ToArray();

    /// <summary>Scenarios that generate Kubernetes manifests (every one but --deploy none).</summary>
    public static IReadOnlyList<Scenario> WithKubernetes { get; } = All.Where(s => s.OptionValue("--deploy") is null or "kubernetes").ToArray();

    /// <summary>
    /// Scenarios whose code or configuration behaves differently from every other, whose own tests `make test` runs:
    /// all but those that differ from <c>defaults</c> by their name alone (generated, built and linted), and those that
    /// differ by their trainer alone (each trains and serves end to end, and LightGBM and FastTree also train the
    /// models that `make test` of two-added-models and task-regression trains).
    /// </summary>
    public static IReadOnlyList<Scenario> WithOwnBehaviour { get; } =
        All.Where(s => !IsNameOnly(s) && !s.Id.StartsWith("trainer-", StringComparison.Ordinal)).ToArray();

    /// <summary>
    /// Scenarios whose C# differs from that of every other scenario, so that `make lint` checks each distinct source
    /// once: all but those that differ from <c>defaults</c> only in a trainer (a package reference and params, no C#).
    /// ExecutionTests check that the C# of the others is byte-identical to <c>defaults</c>.
    /// </summary>
    public static IReadOnlyList<Scenario> WithOwnCode { get; } = All.Where(s => !s.Id.StartsWith("trainer-", StringComparison.Ordinal)).ToArray();

    public static TheoryData<string> AllIds => ToTheoryData(All);

    public static TheoryData<string> WithOwnCodeIds => ToTheoryData(WithOwnCode);

    public static TheoryData<string> WithOwnBehaviourIds => ToTheoryData(WithOwnBehaviour);

    public static TheoryData<string> WithGitHubCiIds => ToTheoryData(WithGitHubCi);

    public static TheoryData<string> WithKubernetesIds => ToTheoryData(WithKubernetes);

    public static TheoryData<string> TrainerIds => ToTheoryData(Trainers);

    /// <summary>Whether the scenario differs from <c>defaults</c> by its <c>-n</c> name alone.</summary>
    public static bool IsNameOnly(Scenario scenario) => scenario?.Id.StartsWith("name-", StringComparison.Ordinal) == true;

    public static Scenario Get(string id) =>
        All.SingleOrDefault(s => s.Id == id) ?? throw new ArgumentException($"Unknown scenario '{id}'.", nameof(id));

    private static TheoryData<string> ToTheoryData(IEnumerable<Scenario> scenarios)
    {
        var data = new TheoryData<string>();
        foreach (var scenario in scenarios)
        {
            data.Add(scenario.Id);
        }

        return data;
    }
}
