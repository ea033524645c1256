using System.Text.Json;

namespace MlOps.Platform.Tests.Training;

/// <summary>Every training run leaves a record in runs/: what went in, what came out, where it ran.</summary>
public class RunRecordTests
{
    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void A_passed_run_records_model_code_data_params_metrics_baseline_gate_version_and_machine(string name)
    {
        var trained = SharedModel.Of(name);
        var model = trained.Model;
        var run = RunLog.List(trained.Folder).Should().ContainSingle().Subject;
        var manifest = trained.Manifest;
        var dataPath = Repository.DataPath(model);
        var baseline = TaskMetrics.BaselineMetric(model.Task);

        run.RunId.Should().MatchRegex(@"^\d{8}-\d{6}-[0-9a-f]{4}$").And.Be(manifest.RunId);
        (run.Model, run.Task).Should().Be((name, model.Task.ToText()));
        (manifest.Model, manifest.Task).Should().Be((name, model.Task));
        run.Status.Should().Be(RunRecord.Passed);
        run.GitCommit.Should().MatchRegex("^([0-9a-f]{40}|[0-9a-f]{64}|unknown)$").And.Be(manifest.GitCommit);
        run.Data.Should().Be(new DataInfo(dataPath, TrainingData.Sha256(dataPath), TrainingData.Load(model, dataPath).Count));
        run.Params.Should().Equal(TrainingParams.Load(Repository.ParamsPath(model), []).Values);
        run.Trainer.Should().Be(manifest.Trainer);
        run.Metrics.Should().Equal(manifest.Metrics);
        run.Baseline.Should().Be(new Baseline(TaskMetrics.BaselineStrategy(model.Task), baseline, manifest.Metrics[baseline]));
        run.Gate.Outcome.Should().Be(GateOutcome.PassedOutcome);
        run.Gate.PrimaryMetric.Should().Be(TaskMetrics.PrimaryMetric(model.Task));
        run.Gate.Reasons.Should().BeEmpty();
        run.RegisteredVersion.Should().Be(manifest.Version);
        run.Error.Should().BeNull();
        run.DurationSeconds.Should().BePositive();
        run.FinishedAt.Should().BeOnOrAfter(run.StartedAt);
        run.Machine.HostName.Should().Be(Environment.MachineName);
        run.Machine.ProcessorCount.Should().Be(Environment.ProcessorCount);
        run.Machine.Os.Should().NotBeNullOrWhiteSpace();
        run.Machine.Dotnet.Should().Contain(".NET");

        var metricsFile = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(trained.Folder, TrainingRun.MetricsFileName)));
        metricsFile.Should().Equal(manifest.Metrics, "metrics.json holds the metrics of the latest run, for DVC");
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void A_run_refused_by_a_threshold_serves_nothing_and_is_recorded_with_the_reason(string name)
    {
        var model = CatalogModels.Get(name);
        using var models = ModelsFolder.Empty(model);
        var threshold = ModelsFolder.UnreachableThreshold(model);
        var primary = TaskMetrics.PrimaryMetric(model.Task);

        var act = () => models.Train(threshold);

        act.Should().Throw<TrainingException>().Which.ExitCode.Should().Be(2);
        var run = models.Runs.Should().ContainSingle().Subject;
        run.Status.Should().Be(RunRecord.Refused);
        run.Gate.Outcome.Should().Be(GateOutcome.RefusedOutcome);
        run.Gate.Reasons.Should().ContainSingle().Which.Should().Contain(TaskMetrics.DisplayName(primary)).And.Contain("0.9990");
        run.Overrides.Should().Equal(new Dictionary<string, string> { [threshold.Key] = threshold.Value });
        run.Params[threshold.Key].Should().Be("0.999");
        run.Metrics.Should().ContainKey(primary);
        run.RegisteredVersion.Should().BeNull();
        run.Error.Should().BeNull("a refusal is a verdict, not an error");
        File.Exists(models.ServingModel).Should().BeFalse();
        Directory.Exists(ModelRegistry.Folder(models.Path)).Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(CatalogModels.Names), MemberType = typeof(CatalogModels))]
    public void A_run_on_invalid_data_is_recorded_as_failed_with_the_validation_report(string name)
    {
        var model = CatalogModels.Get(name);
        using var models = ModelsFolder.Empty(model);
        var data = Path.Combine(models.Path, "bad.csv");
        var lines = File.ReadLines(Repository.DataPath(model)).Take(2).ToArray();
        var header = lines[0].Split(',');
        var cells = lines[1].Split(',');
        var numeric = model.Features.OfType<NumericFeature>().First().Name;
        cells[Array.IndexOf(header, numeric)] = "abc";
        File.WriteAllLines(data, [lines[0], string.Join(',', cells)]);

        var act = () => TrainingRun.Execute(models.Options() with { DataPath = data }, TextWriter.Null);

        act.Should().Throw<TrainingException>().Which.ExitCode.Should().Be(1);
        var run = models.Runs.Should().ContainSingle().Subject;
        run.Status.Should().Be(RunRecord.Failed);
        run.Error.Should().Contain($"row 2, column {numeric}");
        run.Data.Sha256.Should().Be(TrainingData.Sha256(data));
        run.Gate.Outcome.Should().Be(GateOutcome.NotRunOutcome);
        run.Metrics.Should().BeNull();
        File.Exists(models.ServingModel).Should().BeFalse();
        Directory.Exists(ModelRegistry.Folder(models.Path)).Should().BeFalse();
    }

    [Fact]
    public void Run_ids_sort_by_time_and_are_unique_within_a_second()
    {
        var now = DateTimeOffset.UtcNow;

        var ids = Enumerable.Range(0, 20).Select(_ => Provenance.NewId(now, '-')).ToArray();

        ids.Should().OnlyContain(id => id.StartsWith(now.ToString("yyyyMMdd-HHmmss-", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        ids.Distinct().Should().HaveCountGreaterThan(15, "the random suffix tells runs of the same second apart");
        string.CompareOrdinal(Provenance.NewId(now.AddSeconds(1), '-'), ids.Order(StringComparer.Ordinal).Last()).Should().BePositive("a later run sorts after an earlier one");
        RunLog.VersionOf("20261124-063700-ab12").Should().Be("20261124.063700.ab12");
    }

    [Fact]
    public void Runs_and_versions_of_one_model_started_in_the_same_second_list_in_the_order_they_were_made()
    {
        var folder = Directory.CreateTempSubdirectory("MlOps.Platform.Tests-ids-").FullName;
        try
        {
            var now = DateTimeOffset.UtcNow;
            var made = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                var id = RunLog.NewRunId(folder, now);
                made.Add(id);
                // Odd runs register a version only (as a run whose record is not written yet); even ones write a record.
                Directory.CreateDirectory(i % 2 == 0 ? RunLog.Folder(folder) : ModelRegistry.PathOf(folder, RunLog.VersionOf(id)));
                if (i % 2 == 0)
                {
                    File.WriteAllText(RunLog.PathOf(folder, id), "{}");
                }
            }

            made.Should().OnlyHaveUniqueItems().And.BeInAscendingOrder(StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_commit_is_unknown_outside_a_git_checkout()
    {
        var outside = Directory.CreateTempSubdirectory("MlOps.Platform.Tests-nogit-").FullName;
        try
        {
            Provenance.GitCommit(outside).Should().Be(Provenance.UnknownCommit);
            Provenance.UncommittedChanges(outside).Should().BeNull("without a repository nothing is known about changes");
        }
        finally
        {
            Directory.Delete(outside);
        }
    }

    [Fact]
    public void Uncommitted_changes_to_code_params_or_data_are_named_and_make_a_same_commit_comparison_say_so()
    {
        var repo = Directory.CreateTempSubdirectory("MlOps.Platform.Tests-git-").FullName;
        try
        {
            Git(repo, "init", "-q");
            Directory.CreateDirectory(Path.Combine(repo, "params"));
            File.WriteAllText(Path.Combine(repo, "params", "m.yaml"), "seed: 1\n");
            File.WriteAllText(Path.Combine(repo, "notes.txt"), "not a training input\n");
            Git(repo, "add", "-A");
            Git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "first");
            Provenance.UncommittedChanges(repo).Should().BeEmpty();

            File.WriteAllText(Path.Combine(repo, "params", "m.yaml"), "seed: 2\n");
            Directory.CreateDirectory(Path.Combine(repo, "data"));
            File.WriteAllText(Path.Combine(repo, "data", "m.csv"), "x,y\n");
            File.WriteAllText(Path.Combine(repo, "notes.txt"), "edited, but training does not read it\n");

            var changes = Provenance.UncommittedChanges(repo);
            changes.Should().BeEquivalentTo("params/m.yaml", "data/m.csv");

            using var models = new ModelFolder();
            var commit = Provenance.GitCommit(repo);
            var clean = RunLog.Write(models.Root, Run("20261205-000000-aaaa", commit, []));
            var dirty = RunLog.Write(models.Root, Run("20261205-000001-bbbb", commit, changes));
            var output = new StringWriter();
            RunLog.PrintComparison(models.Root, "20261205-000000-aaaa", "20261205-000001-bbbb", output);

            File.Exists(clean).Should().BeTrue();
            File.ReadAllText(dirty).Should().Contain("params/m.yaml");
            output.ToString().Should().Contain($"Code: same commit ({commit[..12]}), but with uncommitted changes (A none; B params/m.yaml, data/m.csv): the code may differ.");
        }
        finally
        {
            Directory.Delete(repo, recursive: true);
        }
    }

    private static RunRecord Run(string id, string commit, IReadOnlyList<string>? changes) => new()
    {
        RunId = id,
        Model = "m",
        Task = "binary",
        Status = RunRecord.Passed,
        StartedAt = DateTimeOffset.UnixEpoch,
        Trainer = "sdca",
        GitCommit = commit,
        UncommittedChanges = changes,
        Data = new DataInfo("data/m.csv", "00", 10),
        Params = new Dictionary<string, string> { ["seed"] = "1" },
        Metrics = new Dictionary<string, double> { ["auc"] = 0.8 },
        Gate = GateOutcome.NotRun,
        Machine = Provenance.Machine(),
    };

    private static void Git(string directory, params string[] arguments)
    {
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", arguments) { WorkingDirectory = directory })!;
        git.WaitForExit();
        git.ExitCode.Should().Be(0, $"git {string.Join(' ', arguments)}");
    }
}
