namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>The scenarios every test family runs over, addressed by id so test names stay readable.</summary>
public static class Scenarios
{
    public const string MlService = "mlservice";

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("defaults", MlService, "Acme.Churn", [], RestoreByPostAction: true),
        new("trainer-fasttree", MlService, "Acme.Churn", ["-t", "fasttree"]),
        new("trainer-lightgbm", MlService, "Acme.Churn", ["-t", "lightgbm"]),
        new("name-kebab", MlService, "my-ml-service", []),
        new("name-dotted", MlService, "Acme.Fraud.Scoring", []),
        new("name-digit", MlService, "3d.vision", []),
    ];

    /// <summary>Scenarios that differ by trainer: each is trained and served end to end.</summary>
    public static IReadOnlyList<Scenario> Trainers { get; } =
        All.Where(s => s.Id is "defaults" || s.Id.StartsWith("trainer-", StringComparison.Ordinal)).ToArray();

    public static TheoryData<string> AllIds => ToTheoryData(All);

    public static TheoryData<string> TrainerIds => ToTheoryData(Trainers);

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
