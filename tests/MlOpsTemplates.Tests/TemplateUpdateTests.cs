using System.Text;
using System.Text.Json;
using MlOpsTemplates.Tests.Infrastructure;

namespace MlOpsTemplates.Tests;

/// <summary>
/// `make template-update` and `make template-check` of a generated repo, against two real pack versions in a
/// local folder feed (<see cref="PackVersions"/>): repos are generated from the old version and committed, the
/// team's changes are committed on top, then the repo is updated to the new version.
/// </summary>
public sealed class TemplateUpdateTests
{
    private const string Record = ".mlopstemplates.json";
    private const string TeamNote = "Team note: the scoring service also feeds the retention dashboard.";
    private const string TeamOnlyFile = "TEAM_NOTES.md";
    private const string TeamDeletedFile = "docs/PRESS_RELEASE.md";

    private static readonly Lazy<Task<UpdatedRepo>> s_cleanEdits = new(() => UpdateWithEditsAsync("clean-edits", root =>
    {
        AppendLine(root, PackVersions.EditedFile, TeamNote);
        AppendLine(root, PackVersions.RenamedFrom, TeamNote);
        File.Delete(Path.Combine(root, TeamDeletedFile));
        File.Delete(Path.Combine(root, PackVersions.BinaryFile));
        File.WriteAllText(Path.Combine(root, TeamOnlyFile), "# Team notes\n\nOnly this team has this file.\n");
    }));

    private static readonly Lazy<Task<UpdatedRepo>> s_conflicts = new(() => UpdateWithEditsAsync("conflicts", root =>
    {
        var path = Path.Combine(root, PackVersions.EditedFile);
        var lines = File.ReadAllText(path).Split('\n');
        lines[0] += " (the team's title)";
        File.WriteAllText(path, string.Join('\n', lines));
        AppendLine(root, PackVersions.DeletedFile, TeamNote);
    }));

    [Theory]
    [InlineData("trainer-lightgbm")]
    [InlineData("no-ci-no-deploy")]
    public async Task An_untouched_repo_becomes_exactly_a_fresh_render_of_the_newest_version(string scenarioId)
    {
        var versions = await PackVersions.GetAsync();
        var scenario = Scenarios.Get(scenarioId);
        var root = await NewCommittedRepoAsync($"untouched-{scenarioId}", scenario);

        // No TO: the newest version on the feeds of the nuget.config above the repo.
        var update = await MakeAsync(root, ["template-update"], "update.log");

        update.ExitCode.Should().Be(0, update.ToString());
        update.Output.Should().NotContain("error", "a clean update prints its summary and nothing else");
        update.Output.Should().Contain($"Updated {scenario.Name} from MlOpsTemplates {PackVersions.OldVersion} to {PackVersions.NewVersion}.")
            .And.Contain($"{PackVersions.RenamedFrom} -> {PackVersions.RenamedTo}")
            // The platform's packages are listed as added and removed, or as renamed when git finds the two versions
            // alike (the same code packed at two versions): either way each old and new package is named below.
            .And.MatchRegex($@"added \((1|{1 + PlatformPackages.Count})\):\s+{PackVersions.AddedFile}")
            .And.MatchRegex($@"removed \((1|{1 + PlatformPackages.Count})\):\s+{PackVersions.DeletedFile}")
            .And.Contain("conflicting (0):")
            .And.Contain($"new option --{PackVersions.AddedOption}: its default '{PackVersions.AddedOptionDefault}' is used");
        (await GitAsync(root, "ls-files", "--unmerged")).StandardOutput.Should().BeEmpty();
        foreach (var package in PlatformPackages)
        {
            // The platform's packages move with the template: the old version's go, the new version's arrive.
            update.Output.Should().Contain($"packages/{package}.{PackVersions.OldVersion}.nupkg").And.Contain($"packages/{package}.{PackVersions.NewVersion}.nupkg");
        }

        var fresh = Path.Combine(versions.Folder, $"fresh-{scenarioId}");
        await versions.GenerateAsync(versions.NewHive, scenario, fresh, Path.Combine(versions.Folder, $"fresh-{scenarioId}.log"));
        var updated = Files(root);
        var expected = Files(fresh);
        updated.Keys.Should().BeEquivalentTo(expected.Keys, "the updated repo has exactly the files of a fresh render of the new version");
        foreach (var (path, content) in expected)
        {
            updated[path].Should().Equal(content, $"{path} must be byte for byte what the new version renders");
        }

        var record = JsonDocument.Parse(updated[Record]).RootElement;
        record.GetProperty("version").GetString().Should().Be(PackVersions.NewVersion);
        record.GetProperty("options").GetProperty(PackVersions.AddedOption).GetString().Should().Be(PackVersions.AddedOptionDefault);
    }

    [Fact]
    public async Task Team_edits_away_from_the_template_change_merge_cleanly_and_follow_renames()
    {
        var repo = await s_cleanEdits.Value;

        repo.Update.ExitCode.Should().Be(0, repo.Update.ToString());
        repo.Update.Output.Should().MatchRegex($@"merged cleanly \(\d+\):[^:]*{PackVersions.EditedFile}").And.Contain("conflicting (0):");
        (await GitAsync(repo.Root, "ls-files", "--unmerged")).StandardOutput.Should().BeEmpty("nothing conflicts");

        var edited = File.ReadAllText(Path.Combine(repo.Root, PackVersions.EditedFile));
        edited.Split('\n')[0].Should().EndWith(PackVersions.EditedTitleSuffix, "the template's change arrives");
        edited.Should().EndWith(TeamNote + "\n", "the team's edit stays");

        File.Exists(Path.Combine(repo.Root, PackVersions.RenamedFrom)).Should().BeFalse("the template renamed it");
        File.ReadAllText(Path.Combine(repo.Root, PackVersions.RenamedTo)).Should().EndWith(TeamNote + "\n", "the team's edit follows the rename");
        repo.Update.Output.Should().Contain($"{PackVersions.RenamedFrom} -> {PackVersions.RenamedTo}");
    }

    [Fact]
    public async Task Files_the_team_deleted_stay_deleted_and_files_only_the_team_has_are_untouched()
    {
        var repo = await s_cleanEdits.Value;

        repo.Update.ExitCode.Should().Be(0, repo.Update.ToString());
        File.Exists(Path.Combine(repo.Root, TeamDeletedFile)).Should().BeFalse("the team deleted it and the template did not change it");
        File.Exists(Path.Combine(repo.Root, PackVersions.BinaryFile)).Should().BeFalse("the team deleted it; the template's change to it does not bring it back");
        repo.Update.Output.Should().MatchRegex($@"kept deleted[^\n]*\n\s+{PackVersions.BinaryFile}");
        File.ReadAllText(Path.Combine(repo.Root, TeamOnlyFile)).Should().Be("# Team notes\n\nOnly this team has this file.\n");
        (await GitAsync(repo.Root, "status", "--porcelain", "--", TeamOnlyFile, TeamDeletedFile, PackVersions.BinaryFile)).StandardOutput
            .Should().BeEmpty("the update leaves the team's own file and the deleted files exactly as committed");
    }

    [Fact]
    public async Task The_repo_builds_and_passes_its_tests_after_a_clean_update()
    {
        var repo = await s_cleanEdits.Value;
        repo.Update.ExitCode.Should().Be(0, repo.Update.ToString());

        var test = await Make.RunAsync(repo.Root, "test", Path.Combine(repo.Root, "..", "clean-edits-make-test.log"));

        test.ExitCode.Should().Be(0, $"the updated repo must build and pass its own tests:{Environment.NewLine}{test}");
        test.Output.Should().MatchRegex(@"Passed!|total: \d+, failed: 0", "dotnet test reports its passed tests");
    }

    [Fact]
    public async Task Overlapping_edits_conflict_with_markers_unmerged_entries_and_a_failing_exit_code()
    {
        var repo = await s_conflicts.Value;

        repo.Update.ExitCode.Should().NotBe(0, "a conflict needs a person");
        repo.Update.Output.Should().MatchRegex($@"conflicting \(2\):\s+{PackVersions.EditedFile} \(both changed the same lines\)");
        var text = File.ReadAllText(Path.Combine(repo.Root, PackVersions.EditedFile));
        text.Should().Contain("<<<<<<< ").And.Contain("\n=======\n").And.Contain(">>>>>>> ")
            .And.Contain("(the team's title)").And.Contain(PackVersions.EditedTitleSuffix);
        Stages(await GitAsync(repo.Root, "ls-files", "--unmerged", "--", PackVersions.EditedFile))
            .Should().Equal([1, 2, 3], "git keeps base, ours and theirs as unmerged index entries");

        // Everything else of the update still arrived.
        File.Exists(Path.Combine(repo.Root, PackVersions.AddedFile)).Should().BeTrue();
        File.Exists(Path.Combine(repo.Root, PackVersions.RenamedTo)).Should().BeTrue();
    }

    [Fact]
    public async Task A_team_edited_file_that_the_new_version_deletes_is_a_reported_conflict()
    {
        var repo = await s_conflicts.Value;

        repo.Update.ExitCode.Should().NotBe(0);
        repo.Update.Output.Should().Contain($"{PackVersions.DeletedFile} (you edited it, {PackVersions.NewVersion} deletes it");
        File.ReadAllText(Path.Combine(repo.Root, PackVersions.DeletedFile)).Should().EndWith(TeamNote + "\n", "the team's version stays for the decision");
        Stages(await GitAsync(repo.Root, "ls-files", "--unmerged", "--", PackVersions.DeletedFile))
            .Should().Equal([1, 2], "base and ours, no theirs: an unmerged modify/delete");
    }

    [Fact]
    public async Task A_dirty_tree_is_refused_and_nothing_changes()
    {
        var root = await NewCommittedRepoAsync("dirty", Scenarios.Get("defaults"));
        AppendLine(root, "README.md", "An uncommitted line.");
        var head = (await GitAsync(root, "rev-parse", "HEAD")).StandardOutput;
        var before = Files(root);

        var update = await MakeAsync(root, ["template-update", $"TO={PackVersions.NewVersion}"], "update.log");

        update.ExitCode.Should().NotBe(0);
        update.Output.Should().Contain("uncommitted changes").And.Contain("Nothing was changed");
        Files(root).Should().BeEquivalentTo(before, "the refused update touches no file");
        (await GitAsync(root, "rev-parse", "HEAD")).StandardOutput.Should().Be(head);
        (await GitAsync(root, "status", "--porcelain")).StandardOutput.Should().Be(" M README.md\n");
    }

    [Fact]
    public async Task Updating_to_the_recorded_version_changes_nothing()
    {
        var root = await NewCommittedRepoAsync("same-version", Scenarios.Get("name-odd"));
        var before = Files(root);

        var update = await MakeAsync(root, ["template-update", $"TO={PackVersions.OldVersion}"], "update.log");

        update.ExitCode.Should().Be(0, update.ToString());
        update.Output.Should().Contain("Nothing to update");
        (await GitAsync(root, "status", "--porcelain")).StandardOutput.Should().BeEmpty();
        Files(root).Keys.Should().BeEquivalentTo(before.Keys);
        foreach (var (path, content) in before)
        {
            Files(root)[path].Should().Equal(content, path);
        }
    }

    [Fact]
    public async Task Template_check_reports_the_newer_version_and_fails_when_too_many_minor_versions_behind()
    {
        var versions = await PackVersions.GetAsync();
        var root = await NewCommittedRepoAsync("check", Scenarios.Get("defaults"));

        var fromConfig = await MakeAsync(root, ["template-check"], "check.log");
        fromConfig.ExitCode.Should().Be(0, $"one minor version behind is within the default limit:{Environment.NewLine}{fromConfig}");
        fromConfig.Output.Should().Contain($"MlOpsTemplates {PackVersions.OldVersion}").And.Contain($"Newer version available: {PackVersions.NewVersion}");

        var strict = await MakeAsync(root, ["template-check", $"FEED={versions.Feed}", "MAX_MINOR_BEHIND=0"], "check-strict.log");
        strict.ExitCode.Should().NotBe(0, strict.ToString());
        strict.Output.Should().Contain($"Newer version available: {PackVersions.NewVersion}").And.Contain("MAX_MINOR_BEHIND=0");
    }

    [Fact]
    public async Task Recorded_additions_are_replayed_on_both_versions_and_kept_in_the_record()
    {
        var versions = await PackVersions.GetAsync();
        var root = await NewCommittedRepoAsync("additions", Scenarios.Get("defaults"));

        // An item template run after generation, with an option, recorded the way the item templates record theirs.
        const string addition = """{"template": "buildprops", "output": "tests", "options": {"inherit": "true"}}""";
        (await DotNetCli.RunAsync(Path.Combine(root, "tests"), ["new", "buildprops", "--inherit", "true", "--debug:custom-hive", versions.OldHive], Path.Combine(versions.ReposFolder, "additions-item.log"))).EnsureSuccess();
        var added = File.ReadAllBytes(Path.Combine(root, "tests", "Directory.Build.props"));
        var recordPath = Path.Combine(root, Record);
        File.WriteAllText(recordPath, File.ReadAllText(recordPath).Replace("  \"additions\": []\n", $"  \"additions\": [\n    {addition}\n  ]\n", StringComparison.Ordinal));
        (await GitAsync(root, "add", "--all")).EnsureSuccess();
        (await GitAsync(root, "commit", "--quiet", "-m", "Add tests/Directory.Build.props")).EnsureSuccess();

        var update = await MakeAsync(root, ["template-update", $"TO={PackVersions.NewVersion}"], "update.log");

        update.ExitCode.Should().Be(0, update.ToString());
        update.Output.Should().NotContain("error");
        update.Output.Should().NotContain("tests/Directory.Build.props", "the addition renders the same in both versions, so the update leaves it alone");
        File.ReadAllBytes(Path.Combine(root, "tests", "Directory.Build.props")).Should().Equal(added);
        var record = JsonDocument.Parse(File.ReadAllText(recordPath)).RootElement;
        record.GetProperty("version").GetString().Should().Be(PackVersions.NewVersion);
        record.GetProperty("additions").EnumerateArray().Select(a => a.GetRawText()).Should().Equal([addition], "the record carries the additions on");
    }

    [Fact]
    public async Task A_model_added_with_make_add_model_is_replayed_on_both_versions_and_receives_its_samples_changes()
    {
        var versions = await PackVersions.GetAsync();
        var scenario = Scenarios.Get("added-model");
        var model = scenario.Additions.Should().ContainSingle().Subject;
        var root = Path.Combine(versions.ReposFolder, "added-model");
        await versions.GenerateAsync(versions.OldHive, scenario, root, Path.Combine(versions.ReposFolder, "added-model-new.log"));
        (await AddModelRunner.RunMakeAsync(versions.OldHive, root, ["add-model", $"NAME={model.Name}", $"TASK={model.Task}"], Path.Combine(versions.ReposFolder, "added-model-add.log"))).EnsureSuccess();
        (await GitAsync(root, "init", "--quiet", "--initial-branch=main")).EnsureSuccess();
        (await GitAsync(root, "add", "--all")).EnsureSuccess();
        (await GitAsync(root, "commit", "--quiet", "-m", "Generated, then make add-model")).EnsureSuccess();
        var modelFiles = AddModelTests.ModelFiles(scenario.Name, model.Name);
        var before = Files(root);
        var recordedAdditions = JsonDocument.Parse(before[Record]).RootElement.GetProperty("additions").EnumerateArray().Select(a => a.GetRawText()).ToArray();
        recordedAdditions.Should().ContainSingle("make add-model records the model it added");

        var update = await MakeAsync(root, ["template-update", $"TO={PackVersions.NewVersion}"], "update.log");

        update.ExitCode.Should().Be(0, update.ToString());
        update.Output.Should().Contain("conflicting (0):");

        // The new version changed the card of the sample the model was copied from: the replayed addition brings
        // that change to the added model's card, under its own name; its other files render the same in both versions.
        var card = $"docs/models/{model.Name}.md";
        update.Output.Should().Contain(card, "the update reports the added model's card it changed");
        File.ReadAllText(Path.Combine(root, card)).Should().EndWith(
            "\n" + PackVersions.SampleModelNote.Replace("demand", model.Name, StringComparison.Ordinal) + "\n",
            "the sample's change reaches the model added from it");
        File.ReadAllText(Path.Combine(root, card)).Should().StartWith(Encoding.UTF8.GetString(before[card]), "the rest of the card is unchanged");
        foreach (var file in modelFiles.Where(f => f != card))
        {
            update.Output.Should().NotContain(file, "the model's other files render the same from both versions, so the update leaves them alone");
            Files(root)[file].Should().Equal(before[file], $"{file} of the added model must stay byte for byte");
        }

        File.Exists(Path.Combine(root, PackVersions.AddedFile)).Should().BeTrue("the new version's changes arrive beside the added model");
        var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, Record))).RootElement;
        record.GetProperty("version").GetString().Should().Be(PackVersions.NewVersion);
        record.GetProperty("additions").EnumerateArray().Select(a => a.GetRawText()).Should().Equal(recordedAdditions, "the record carries the model's addition on");
    }

    private sealed record UpdatedRepo(string Root, ProcessResult Update);

    private static async Task<UpdatedRepo> UpdateWithEditsAsync(string purpose, Action<string> edit)
    {
        var root = await NewCommittedRepoAsync(purpose, Scenarios.Get("defaults"));
        edit(root);
        (await GitAsync(root, "add", "--all")).EnsureSuccess();
        (await GitAsync(root, "commit", "--quiet", "-m", "The team's changes")).EnsureSuccess();
        return new UpdatedRepo(root, await MakeAsync(root, ["template-update", $"TO={PackVersions.NewVersion}"], "update.log"));
    }

    /// <summary>A repo generated from the old version, committed as a team would after `dotnet new`.</summary>
    private static async Task<string> NewCommittedRepoAsync(string purpose, Scenario scenario)
    {
        var versions = await PackVersions.GetAsync();
        var root = Path.Combine(versions.ReposFolder, purpose);
        await versions.GenerateAsync(versions.OldHive, scenario, root, Path.Combine(versions.ReposFolder, $"{purpose}-new.log"));
        File.ReadAllText(Path.Combine(root, Record)).Should().Contain($"\"version\": \"{PackVersions.OldVersion}\"");
        (await GitAsync(root, "init", "--quiet", "--initial-branch=main")).EnsureSuccess();
        (await GitAsync(root, "add", "--all")).EnsureSuccess();
        (await GitAsync(root, "commit", "--quiet", "-m", "Generated by dotnet new")).EnsureSuccess();
        return root;
    }

    private static async Task<ProcessResult> MakeAsync(string root, IReadOnlyList<string> arguments, string logName)
    {
        var versions = await PackVersions.GetAsync();
        var spec = DotNetCli.Spec(root, arguments, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = versions.NuGetPackages }) with { FileName = "make" };
        return await ProcessRunner.RunAsync(spec, TimeSpan.FromMinutes(5), Path.Combine(root, "..", $"{Path.GetFileName(root)}-{logName}"));
    }

    private static Task<ProcessResult> GitAsync(string root, params string[] arguments) =>
        ProcessRunner.RunAsync(
            new ProcessSpec(
                "git",
                ["-c", "user.name=Team", "-c", "user.email=team@example.com", "-c", "commit.gpgsign=false", .. arguments],
                root,
                new Dictionary<string, string?> { ["GIT_CONFIG_NOSYSTEM"] = "1" }),
            TimeSpan.FromMinutes(1));

    private static int[] Stages(ProcessResult lsFilesUnmerged) =>
        lsFilesUnmerged.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => int.Parse(line.Split('\t')[0].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToArray();

    /// <summary>Every file of the working tree but .git, by '/'-separated path.</summary>
    private static Dictionary<string, byte[]> Files(string root) =>
        FileTree.RelativeFiles(root, path => path != ".git" && !path.StartsWith(".git/", StringComparison.Ordinal))
            .ToDictionary(path => path, path => File.ReadAllBytes(Path.Combine(root, path)));

    private static void AppendLine(string root, string relativePath, string line) =>
        File.AppendAllText(Path.Combine(root, relativePath), line + "\n");

    /// <summary>The platform packages every generated repository's folder feed holds.</summary>
    private static IReadOnlyList<string> PlatformPackages => TemplateSource.PlatformProjects;
}
