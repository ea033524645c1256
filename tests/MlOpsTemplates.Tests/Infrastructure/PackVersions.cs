using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Two versions of the pack, built once per test run into a local folder feed for the template-update tests:
/// <see cref="OldVersion"/> from an unchanged copy of the sources, <see cref="NewVersion"/> from a copy with
/// scripted changes (one file edited, one deleted, one added, one renamed, the binary favicon changed, one
/// option added). Each is also installed into its own private template hive. A nuget.config in
/// <see cref="ReposFolder"/> names the feed, so repositories generated below it find both versions the way
/// a team's repository finds its company feed.
/// </summary>
public sealed class PackVersions
{
    public const string OldVersion = "7.1.0";
    public const string NewVersion = "7.2.0";

    /// <summary>The template file whose first line the new version changes.</summary>
    public const string EditedFile = "docs/ARCHITECTURE.md";

    /// <summary>The template file the new version deletes.</summary>
    public const string DeletedFile = "notebooks/README.md";

    /// <summary>The template file the new version adds.</summary>
    public const string AddedFile = "docs/RUNBOOK.md";

    /// <summary>The template file the new version renames, and its new path.</summary>
    public const string RenamedFrom = "docs/FUNCTIONAL_SPEC.md";

    public const string RenamedTo = "docs/REQUIREMENTS.md";

    /// <summary>The binary file the new version changes.</summary>
    public const string BinaryFile = "scripts/docs/favicon.png";

    /// <summary>
    /// The regression sample model's card, to which the new version appends <see cref="SampleModelNote"/>; a model
    /// added from that sample (make add-model TASK=regression) gets the change when its addition is replayed.
    /// </summary>
    public const string RegressionSampleCard = "docs/models/demand.md";

    /// <summary>The line the new version appends to <see cref="RegressionSampleCard"/>; `demand` becomes the added model's name.</summary>
    public const string SampleModelNote = "Reviewed for the next version: check the demand model's gate after each retraining.";

    /// <summary>The option the new version adds, and its default.</summary>
    public const string AddedOption = "region";

    public const string AddedOptionDefault = "westeurope";

    /// <summary>What the new version appends to the first line of <see cref="EditedFile"/>.</summary>
    public const string EditedTitleSuffix = " (revised in the next version)";

    private static readonly Lazy<Task<PackVersions>> s_instance = new(CreateAsync);

    private PackVersions(string folder)
    {
        Folder = folder;
    }

    public string Folder { get; }

    public string Feed => Path.Combine(Folder, "feed");

    /// <summary>Repositories generated here see the feed through the nuget.config of this folder.</summary>
    public string ReposFolder => Path.Combine(Folder, "repos");

    /// <summary>A NuGet cache of its own: both versions exist only in this run, never in a shared cache.</summary>
    public string NuGetPackages => Path.Combine(Folder, "nuget-packages");

    public string OldHive => Path.Combine(Folder, "hive-old");

    public string NewHive => Path.Combine(Folder, "hive-new");

    public static Task<PackVersions> GetAsync() => s_instance.Value;

    public string PackagePath(string version) => Path.Combine(Feed, $"MlOpsTemplates.{version}.nupkg");

    /// <summary>`dotnet new` of <paramref name="scenario"/> from one version's hive, without restore.</summary>
    public async Task GenerateAsync(string hive, Scenario scenario, string output, string logFile) =>
        (await DotNetCli.RunAsync(
            ReposFolder,
            ["new", scenario.TemplateShortName, "-n", scenario.Name, "-o", output, .. scenario.ExtraArgs, "--no-restore", "--debug:custom-hive", hive],
            logFile)).EnsureSuccess();

    private static async Task<PackVersions> CreateAsync()
    {
        var versions = new PackVersions(Path.Combine(TestRun.Folder, "template-update"));
        Directory.CreateDirectory(versions.Feed);
        Directory.CreateDirectory(versions.ReposFolder);

        var oldSource = Path.Combine(versions.Folder, "source-old");
        var newSource = Path.Combine(versions.Folder, "source-new");
        CopyPackSources(oldSource);
        CopyPackSources(newSource);
        ApplyNextVersionChanges(Path.Combine(newSource, "templates", Scenarios.MlService));

        // The platform's sources are the same in both versions: the Release build that packing the pack left in the
        // repository is packed again at each version (no second and third build of the same code).
        await TemplatePackage.GetAsync();
        foreach (var (source, version, hive) in new[] { (oldSource, OldVersion, versions.OldHive), (newSource, NewVersion, versions.NewHive) })
        {
            var platform = Path.Combine(versions.Folder, $"platform-{version}");
            (await DotNetCli.RunAsync(
                RepoPaths.Root,
                ["pack", RepoPaths.PlatformSolution, "--no-build", "-c", "Release", "-o", platform, $"-p:Version={version}", "-nodeReuse:false"],
                Path.Combine(versions.Folder, $"pack-platform-{version}.log"))).EnsureSuccess();
            (await DotNetCli.RunAsync(
                source,
                ["pack", Path.Combine(source, "MlOpsTemplates.csproj"), "-o", versions.Feed, $"-p:Version={version}", $"-p:PlatformPackages={platform}", "-warnaserror", "-nodeReuse:false"],
                Path.Combine(versions.Folder, $"pack-{version}.log"))).EnsureSuccess();
            (await DotNetCli.RunAsync(
                versions.Folder,
                ["new", "install", versions.PackagePath(version), "--debug:custom-hive", hive],
                Path.Combine(versions.Folder, $"install-{version}.log"))).EnsureSuccess();
        }

        await File.WriteAllTextAsync(
            Path.Combine(versions.ReposFolder, "nuget.config"),
            $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="team-templates" value="{versions.Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>

            """);
        return versions;
    }

    /// <summary>What `dotnet pack MlOpsTemplates.csproj` needs: the project, its README and settings, the templates.</summary>
    private static void CopyPackSources(string destination)
    {
        foreach (var file in new[] { "MlOpsTemplates.csproj", "README.md", "Directory.Build.props", "global.json" })
        {
            Directory.CreateDirectory(destination);
            File.Copy(Path.Combine(RepoPaths.Root, file), Path.Combine(destination, file));
        }

        foreach (var template in Directory.GetDirectories(RepoPaths.Templates))
        {
            TemplateSource.CopyTo(Path.GetFileName(template), Path.Combine(destination, "templates", Path.GetFileName(template)));
        }
    }

    /// <summary>The changes of the "next version" of the template, applied to a copy of its source.</summary>
    private static void ApplyNextVersionChanges(string template)
    {
        string At(string relative) => Path.Combine(template, relative);

        // Edited: the first line (the title) of a document.
        var edited = File.ReadAllText(At(EditedFile));
        var firstLineEnd = edited.IndexOf('\n', StringComparison.Ordinal);
        File.WriteAllText(At(EditedFile), edited[..firstLineEnd] + EditedTitleSuffix + edited[firstLineEnd..]);

        // Deleted, renamed, added (the new file uses the name and the new option).
        File.Delete(At(DeletedFile));
        File.Move(At(RenamedFrom), At(RenamedTo));
        File.WriteAllText(
            At(AddedFile),
            "# Ml-Service runbook\n\nWhat to do when ml-service pages you. The service runs in the region-placeholder region.\n");

        // A sample model's file: what a model added from it must receive through the replayed addition.
        File.AppendAllText(At(RegressionSampleCard), "\n" + SampleModelNote + "\n");

        // Binary: the favicon gains a text chunk, so it is still a valid PNG with different bytes.
        File.WriteAllBytes(At(BinaryFile), WithTextChunk(File.ReadAllBytes(At(BinaryFile)), "Comment", "next version"));

        // Option added: --region (text, default westeurope), used by the new file and recorded like the others.
        var configPath = At(".template.config/template.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        var symbols = config["symbols"]!.AsObject();
        symbols.Add(AddedOption, new JsonObject
        {
            ["type"] = "parameter",
            ["datatype"] = "text",
            ["defaultValue"] = AddedOptionDefault,
            ["replaces"] = "region-placeholder",
            ["description"] = "Cloud region the service runs in.",
        });
        symbols.Add("RecordRegion", new JsonObject
        {
            ["type"] = "generated",
            ["generator"] = "coalesce",
            ["parameters"] = new JsonObject { ["sourceVariableName"] = AddedOption, ["fallbackVariableName"] = AddedOption },
            ["replaces"] = "record-option-region",
        });
        File.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");

        const string lastOption = "\"registry\": \"record-option-registry\"\n";
        var record = File.ReadAllText(At(".mlopstemplates.json"));
        record.Should().Contain(lastOption, "the scripted change adds the new option after --registry in the record");
        File.WriteAllText(At(".mlopstemplates.json"), record.Replace(lastOption, $"\"registry\": \"record-option-registry\",\n    \"{AddedOption}\": \"record-option-region\"\n", StringComparison.Ordinal));
    }

    /// <summary>Inserts a PNG tEXt chunk before the final IEND chunk.</summary>
    private static byte[] WithTextChunk(byte[] png, string keyword, string text)
    {
        const int IendLength = 12;
        Encoding.ASCII.GetString(png, png.Length - 8, 4).Should().Be("IEND", "a PNG ends with its IEND chunk");
        var data = Encoding.Latin1.GetBytes($"{keyword}\0{text}");
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes("tEXt").CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return [.. png[..^IendLength], .. chunk, .. png[^IendLength..]];
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
