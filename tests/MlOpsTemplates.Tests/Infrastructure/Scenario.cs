namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>One way of instantiating a template: `dotnet new &lt;ShortName&gt; -n &lt;Name&gt; &lt;ExtraArgs&gt;`.</summary>
/// <param name="RestoreByPostAction">
/// True: the execution test lets the template's restore post-action restore the repo (and checks it did);
/// false: it instantiates with --no-restore and runs `dotnet restore` itself.
/// </param>
/// <param name="AddedModels">
/// Models added after generation, in order, with `make add-model NAME=&lt;name&gt; TASK=&lt;task&gt;` at the repo root.
/// </param>
public sealed record Scenario(
    string Id,
    string TemplateShortName,
    string Name,
    IReadOnlyList<string> ExtraArgs,
    bool RestoreByPostAction = false,
    IReadOnlyList<AddedModel>? AddedModels = null)
{
    /// <summary>The models added after generation (none for most scenarios).</summary>
    public IReadOnlyList<AddedModel> Additions => AddedModels ?? [];

    /// <summary>The value given for an option (long or short form), or null when left to its default.</summary>
    public string? OptionValue(string longName, string? shortName = null)
    {
        for (var i = 0; i < ExtraArgs.Count - 1; i++)
        {
            if (ExtraArgs[i] == longName || (shortName is not null && ExtraArgs[i] == shortName))
            {
                return ExtraArgs[i + 1];
            }
        }

        return null;
    }

    public string SnapshotFolder => Path.Combine(RepoPaths.Snapshots, TemplateShortName, Id);

    public override string ToString() => Id;
}
