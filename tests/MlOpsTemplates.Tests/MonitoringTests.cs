using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated monitoring: Prometheus alert rules that promtool accepts and whose unit tests pass, a
/// runbook in docs/MONITORING.md for every alert, a Grafana dashboard bound to a data source variable,
/// only metric names the service exports, and a real Prometheus that scrapes every one of them from the
/// running service. Also docs/ML_TEST_SCORE.md, whose score follows from its own table.
/// </summary>
[Collection(TrainsSharedRepos.Name)]
public sealed partial class MonitoringTests(ITestOutputHelper output)
{
    private const string RulesFile = "monitoring/alerts.yaml";
    private const string RuleTestsFile = "monitoring/alerts.test.yaml";
    private static readonly ConcurrentDictionary<string, Lazy<Task<ProcessResult>>> s_ruleTests = new();
    private const string DashboardFile = "monitoring/dashboard.json";
    private const string MonitoringDoc = "docs/MONITORING.md";
    private const string TestScoreDoc = "docs/ML_TEST_SCORE.md";
    private const string ApiKeyHeader = "X-Api-Key";

    private static readonly TimeSpan s_promtoolTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_scrapeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The metrics the service exports (the contract of the serving code); histograms expose _bucket, _count and _sum.</summary>
    private static readonly Dictionary<string, string> s_contractMetrics = new(StringComparer.Ordinal)
    {
        ["http_request_duration_seconds"] = "histogram",
        ["http_requests_received_total"] = "counter",
        ["http_requests_in_progress"] = "gauge",
        ["process_cpu_seconds_total"] = "counter",
        ["process_resident_memory_bytes"] = "gauge",
        ["process_start_time_seconds"] = "gauge",
        ["dotnet_total_memory_bytes"] = "gauge",
        ["ml_predictions_total"] = "counter",
        ["ml_prediction_probability"] = "histogram",
        ["ml_prediction_value"] = "histogram",
        ["ml_rejected_inputs_total"] = "counter",
        ["ml_invalid_scores_total"] = "counter",
        ["ml_model_info"] = "gauge",
        ["ml_model_created_timestamp_seconds"] = "gauge",
        ["ml_model_loaded_timestamp_seconds"] = "gauge",
        ["ml_model_load_duration_seconds"] = "gauge",
        ["ml_model_reloads_total"] = "counter",
        ["ml_feature_value"] = "histogram",
        ["ml_feature_category_total"] = "counter",
        ["ml_feature_drift_psi"] = "gauge",
        ["ml_disk_free_bytes"] = "gauge",
        ["ml_auth_failures_total"] = "counter",
        ["ml_requests_shed_total"] = "counter",
        ["ml_live_quality"] = "gauge",
        ["ml_live_quality_labelled"] = "gauge",
        ["ml_prediction_log_written_total"] = "counter",
        ["ml_prediction_log_dropped_total"] = "counter",
    };

    /// <summary>The metrics of the prediction log, which a repository generated with --database none does not have.</summary>
    private static readonly string[] s_predictionLogMetrics =
        ["ml_live_quality", "ml_live_quality_labelled", "ml_prediction_log_written_total", "ml_prediction_log_dropped_total"];

    /// <summary>The series that appear only once a model has enough predictions with feedback (PredictionLog:LiveQualityMinLabelled).</summary>
    private static readonly string[] s_feedbackSeries = ["ml_live_quality", "ml_live_quality_labelled"];

    /// <summary>Series Prometheus itself adds to every target.</summary>
    private static readonly string[] s_prometheusSeries = ["up"];

    /// <summary>The failure modes the service must alert on, each with the metric its rule must watch.</summary>
    private static readonly (string Alert, string Metric)[] s_requiredAlerts =
    [
        ("ServiceDown", "up"),
        ("HighLatencyP99", "http_request_duration_seconds_bucket"),
        ("HighErrorRate", "http_requests_received_total"),
        ("PredictionThroughputDrop", "ml_predictions_total"),
        ("HighCpuUsage", "process_cpu_seconds_total"),
        ("HighMemoryUsage", "process_resident_memory_bytes"),
        ("LowDiskSpace", "ml_disk_free_bytes"),
        ("ModelStale", "ml_model_created_timestamp_seconds"),
        ("ModelNumericInstability", "ml_invalid_scores_total"),
        ("FeatureDrift", "ml_feature_drift_psi"),
        ("ModelReloadFailed", "ml_model_reloads_total"),
        ("AuthFailureBurst", "ml_auth_failures_total"),
        ("HighRejectedInputRatio", "ml_rejected_inputs_total"),
        ("PredictionProbabilityShift", "ml_prediction_probability_bucket"),
        ("LiveQualityDrop", "ml_live_quality"),
        ("PredictionLogDropping", "ml_prediction_log_dropped_total"),
    ];

    /// <summary>The metrics of the serving process as a whole; every other ml_* series belongs to one model (label model).</summary>
    private static readonly string[] s_serviceWideMetrics =
        ["ml_disk_free_bytes", "ml_requests_shed_total", "ml_auth_failures_total", "ml_prediction_log_written_total", "ml_prediction_log_dropped_total"];

    /// <summary>The panels the dashboard must have, each with a metric it must query; a panel is required when the scenario exports its metric.</summary>
    private static readonly (string Panel, string Metric)[] s_requiredPanels =
    [
        ("Request rate", "http_requests_received_total"),
        ("Error rate", "http_requests_received_total"),
        ("Latency p50 / p99", "http_request_duration_seconds_bucket"),
        ("Predictions by class", "ml_predictions_total"),
        ("Probability distribution", "ml_prediction_probability_bucket"),
        ("Value distribution", "ml_prediction_value_bucket"),
        ("Rejected inputs by field", "ml_rejected_inputs_total"),
        ("Invalid scores", "ml_invalid_scores_total"),
        ("Serving model", "ml_model_info"),
        ("Model age", "ml_model_created_timestamp_seconds"),
        ("Model reloads", "ml_model_reloads_total"),
        ("Feature drift (PSI)", "ml_feature_drift_psi"),
        ("CPU", "process_cpu_seconds_total"),
        ("Memory", "process_resident_memory_bytes"),
        ("Disk free", "ml_disk_free_bytes"),
        ("Auth failures", "ml_auth_failures_total"),
        ("Live quality", "ml_live_quality"),
        ("Labelled predictions", "ml_live_quality_labelled"),
        ("Prediction log writes", "ml_prediction_log_dropped_total"),
    ];

    /// <summary>
    /// Scenarios whose service is trained, served and scraped by a real Prometheus: a binary model behind API keys
    /// (the metrics do not depend on the trainer), and three models of every task without keys.
    /// </summary>
    public static TheoryData<string> ScrapedScenarioIds => new() { "trainer-lightgbm", "two-added-models" };

    // ------------------------------------------------------------------ alert rules

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Promtool_accepts_the_rules_and_their_unit_tests_pass(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var alerts = LoadAlerts(tree.Root);

        var check = await PromtoolAsync(tree.Root, "check", "rules", RulesFile);
        check.Succeeded.Should().BeTrue($"promtool must accept {RulesFile}:{Environment.NewLine}{check}");
        check.Output.Should().Contain($"SUCCESS: {alerts.Count} rules found", $"promtool reads every alert of {RulesFile}");

        var test = await RuleTestsOnceAsync(tree.Root);
        test.Succeeded.Should().BeTrue($"the unit tests of the alert rules must pass:{Environment.NewLine}{test}");
        test.Output.Should().Contain("SUCCESS");
        output.WriteLine(check.Output.Trim());
        output.WriteLine(test.Output.Trim());
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Every_alert_has_severity_for_summary_description_and_a_runbook_that_exists(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var alerts = LoadAlerts(tree.Root);
        var doc = File.ReadAllText(Path.Combine(tree.Root, MonitoringDoc));
        var anchors = MarkdownAnchors(doc);
        var exported = ContractMetrics(scenario);

        alerts.Select(a => a.Name).Should().OnlyHaveUniqueItems("alert names identify the runbook and the unit tests");
        foreach (var (alert, metric) in s_requiredAlerts.Where(r => IsContractSeries(r.Metric, exported)))
        {
            alerts.Should().Contain(a => a.Name == alert, $"the service must alert on the failure mode {alert}");
            MetricNames(alerts.Single(a => a.Name == alert).Expr).Should().Contain(metric, $"{alert} must watch {metric}");
        }

        var problems = new List<string>();
        foreach (var alert in alerts)
        {
            void Require(bool condition, string problem)
            {
                if (!condition)
                {
                    problems.Add($"{alert.Name}: {problem}");
                }
            }

            Require(alert.For is { Length: > 0 } && PrometheusDuration().IsMatch(alert.For), $"needs a 'for' duration, got '{alert.For}'");
            Require(alert.Labels.GetValueOrDefault("severity") is "page" or "ticket", "labels.severity must be page or ticket");
            Require(!string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("summary")), "needs a summary");
            var description = alert.Annotations.GetValueOrDefault("description") ?? string.Empty;
            Require(description.Length > 0, "needs a description");
            Require(alert.Expr.StartsWith("absent(", StringComparison.Ordinal) || description.Contains("$value", StringComparison.Ordinal),
                "the description must show the measured value ($value)");
            var runbook = alert.Annotations.GetValueOrDefault("runbook_url") ?? string.Empty;
            var match = RunbookUrl().Match(runbook);
            Require(match.Success, $"runbook_url must be {MonitoringDoc}#<anchor>, got '{runbook}'");
            Require(!match.Success || match.Groups["anchor"].Value == alert.Name.ToLowerInvariant(), "the runbook anchor must be the alert's own section");
            Require(!match.Success || anchors.Contains(match.Groups["anchor"].Value), $"{MonitoringDoc} has no section #{match.Groups["anchor"].Value}");
            Require(alert.Expr.Contains($"job=\"{JobOf(alerts)}\"", StringComparison.Ordinal), "the expression must select the service's job");
            Require(doc.Contains($"| [{alert.Name}](#{alert.Name.ToLowerInvariant()}) | {alert.Labels.GetValueOrDefault("severity")} |", StringComparison.Ordinal),
                $"{MonitoringDoc}'s alert table must list it with its severity");
            Require(doc.Contains($"| {alert.For} |", StringComparison.Ordinal), $"{MonitoringDoc}'s alert table must give its 'for' ({alert.For})");
        }

        problems.Should().BeEmpty($"every alert must be actionable ({tree.Root}/{RulesFile})");

        // And nothing more: no runbook or table row of an alert this repository's rules do not have.
        var runbooks = doc[doc.IndexOf("\n## Runbooks\n", StringComparison.Ordinal)..];
        RunbookHeading().Matches(runbooks).Select(m => m.Groups["name"].Value)
            .Should().BeEquivalentTo(alerts.Select(a => a.Name), $"{MonitoringDoc} has one runbook per alert of {RulesFile}");
        AlertTableRow().Matches(doc).Select(m => m.Groups["name"].Value)
            .Should().BeEquivalentTo(alerts.Select(a => a.Name), $"{MonitoringDoc}'s alert table has one row per alert of {RulesFile}");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Every_alert_has_a_unit_test_where_it_fires_and_one_where_it_stays_quiet(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var alerts = LoadAlerts(tree.Root);
        var tests = LoadYaml(Path.Combine(tree.Root, RuleTestsFile));

        Sequence(tests, "rule_files").Select(n => n.ToString()).Should().Equal(["alerts.yaml"], "the unit tests load the rule file beside them");
        var cases = Sequence(tests, "tests").Cast<YamlMappingNode>()
            .SelectMany(test => Sequence(test, "alert_rule_test").Cast<YamlMappingNode>())
            .Select(c => (Alert: Scalar(c, "alertname"), Expected: Sequence(c, "exp_alerts").Cast<YamlMappingNode>().ToArray()))
            .ToArray();

        foreach (var alert in alerts)
        {
            var firing = cases.Where(c => c.Alert == alert.Name && c.Expected.Length > 0).ToArray();
            firing.Should().NotBeEmpty($"{RuleTestsFile} must show {alert.Name} firing");
            cases.Should().Contain(c => c.Alert == alert.Name && c.Expected.Length == 0, $"{RuleTestsFile} must show {alert.Name} staying quiet");
            foreach (var expected in firing.SelectMany(c => c.Expected))
            {
                var annotations = Mapping(expected, "exp_annotations").Children.Keys.Select(k => k.ToString()).ToArray();
                annotations.Should().BeEquivalentTo(["summary", "description", "runbook_url"], $"the firing test of {alert.Name} pins its rendered annotations");
                Scalar(Mapping(expected, "exp_labels"), "severity").Should().Be(alert.Labels["severity"]);
            }
        }

        cases.Select(c => c.Alert).Distinct().Should().BeSubsetOf(alerts.Select(a => a.Name), "tests only name alerts that exist");
    }

    [Theory]
    [InlineData("expression", "> 0.8", "> > 0.8", "parse error")]
    [InlineData("duration", "for: 15m", "for: 15 minutes", "not a valid duration")]
    [InlineData("template", "{{ $labels.instance }} is short of CPU", "{{ $labels.instance is short of CPU", "template")]
    public async Task Promtool_reports_a_broken_rule_file(string broken, string original, string replacement, string expected)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var folder = TestRun.ScenarioFolder("defaults", $"promtool-broken-{broken}");
        var rules = File.ReadAllText(Path.Combine(tree.Root, RulesFile));
        rules.Should().Contain(original);
        File.WriteAllText(Path.Combine(folder, "alerts.yaml"), rules.Replace(original, replacement, StringComparison.Ordinal));

        var check = await PromtoolAsync(folder, "check", "rules", "alerts.yaml");

        check.Succeeded.Should().BeFalse($"promtool must refuse a rule file with a broken {broken}:{Environment.NewLine}{check}");
        check.Output.Should().Contain(expected, $"promtool names the problem:{Environment.NewLine}{check}");
    }

    [Fact]
    public async Task Promtool_reports_an_alert_that_does_not_fire_as_its_test_expects()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var folder = TestRun.ScenarioFolder("defaults", "promtool-broken-test");
        var rules = File.ReadAllText(Path.Combine(tree.Root, RulesFile));
        Regex.Count(rules, Regex.Escape(") > 0.25")).Should().Be(1, "only FeatureDrift compares with 0.25");
        File.WriteAllText(Path.Combine(folder, "alerts.yaml"), rules.Replace(") > 0.25", ") > 0.5", StringComparison.Ordinal));
        File.Copy(Path.Combine(tree.Root, RuleTestsFile), Path.Combine(folder, "alerts.test.yaml"));

        var test = await PromtoolAsync(folder, "test", "rules", "alerts.test.yaml");

        test.Succeeded.Should().BeFalse($"a drift threshold of 0.5 must break the test that expects FeatureDrift at PSI 0.4:{Environment.NewLine}{test}");
        test.Output.Should().Contain("FAILED").And.Contain("alertname: FeatureDrift");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Every_rule_and_panel_on_a_model_metric_keeps_the_model_label(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var exprs = LoadAlerts(tree.Root).Select(a => (Where: $"alert {a.Name}", Expr: a.Expr))
            .Concat(Queries(LoadDashboard(tree.Root)).Select(q => (Where: $"{DashboardFile} query", Expr: q)))
            .Where(e => MetricNames(e.Expr).Any(IsModelMetric))
            .ToArray();

        exprs.Should().HaveCountGreaterThan(10, "the rules and the dashboard watch the models' metrics");
        var lost = exprs.Where(e => UngroupedAggregation().IsMatch(e.Expr)
                || Aggregation().Matches(e.Expr).Any(m => !m.Groups["labels"].Value.Split(',').Select(l => l.Trim()).Contains("model")))
            .Select(e => $"{e.Where}: {e.Expr}")
            .ToArray();
        lost.Should().BeEmpty("one rule or query covers every model only if each aggregation keeps the model label (by (..., model))");

        var rules = File.ReadAllText(Path.Combine(tree.Root, RulesFile));
        rules.Should().NotContainAny(["model=\"", "model=~"], "no rule is written for one model: a model added later is watched by the same rules");
    }

    // ------------------------------------------------------------------ dashboard

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Dashboard_queries_prometheus_only_through_the_datasource_variable(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var dashboard = LoadDashboard(tree.Root);

        dashboard["schemaVersion"]!.GetValue<int>().Should().BeInRange(36, 41, "the dashboard targets current Grafana (schema 39)");
        dashboard.AsObject().ContainsKey("uid").Should().BeFalse("Grafana assigns the dashboard's uid on import");
        var variables = dashboard["templating"]!["list"]!.AsArray();
        variables.Should().ContainSingle("the only variable is the data source");
        ((string?)variables[0]!["name"]).Should().Be("datasource");
        ((string?)variables[0]!["type"]).Should().Be("datasource");
        ((string?)variables[0]!["query"]).Should().Be("prometheus");

        var references = new List<string>();
        Walk(dashboard, (path, name, value) =>
        {
            if (name == "datasource")
            {
                references.Add($"{path}: {value.ToJsonString()}");
            }

            if (name == "uid" && (string?)value != "${datasource}")
            {
                references.Add($"{path}: hard-coded uid {value.ToJsonString()}");
            }
        });
        references.Should().NotBeEmpty("the panels and queries name their data source");
        references.Where(r => !r.EndsWith("{\"type\":\"prometheus\",\"uid\":\"${datasource}\"}", StringComparison.Ordinal))
            .Should().BeEmpty("every panel and query must use the ${datasource} variable, never a data source's uid");

        var panels = Panels(dashboard).ToArray();
        panels.Select(p => (int)p["id"]!).Should().OnlyHaveUniqueItems();
        panels.Select(p => (string?)p["title"]).Should().OnlyHaveUniqueItems();
        var exported = ContractMetrics(scenario);
        foreach (var (title, metric) in s_requiredPanels.Where(r => IsContractSeries(r.Metric, exported)))
        {
            panels.Should().Contain(p => (string?)p["title"] == title, $"the dashboard must show {title}");
            var queried = panels.Single(p => (string?)p["title"] == title)["targets"]!.AsArray().SelectMany(t => MetricNames((string)t!["expr"]!));
            queried.Should().Contain(metric, $"the panel {title} must show {metric}");
        }

        panels.Select(p => (string?)p["title"]).Intersect(s_requiredPanels.Where(r => !IsContractSeries(r.Metric, exported)).Select(r => r.Panel))
            .Should().BeEmpty("a panel of a metric the service does not export would stay empty");

        // Conditional panels leave gaps when they are not generated, never two panels on the same cells.
        var cells = dashboard["panels"]!.AsArray()
            .SelectMany(p => Cells(p!["gridPos"]!).Select(cell => (Cell: cell, Title: (string?)p["title"])))
            .GroupBy(c => c.Cell)
            .Where(g => g.Count() > 1)
            .Select(g => $"x={g.Key.X}, y={g.Key.Y}: {string.Join(", ", g.Select(c => c.Title))}")
            .ToArray();
        cells.Should().BeEmpty("no two panels of the dashboard overlap");
        panels.Where(p => (string?)p["type"] != "row")
            .Where(p => p["targets"] is not JsonArray targets || targets.Count == 0 || targets.Any(t => string.IsNullOrWhiteSpace((string?)t!["expr"])))
            .Select(p => (string?)p["title"]).Should().BeEmpty("every panel shows a query");
        Queries(dashboard).Should().OnlyContain(q => q.Contains($"job=\"{JobOf(LoadAlerts(tree.Root))}\"", StringComparison.Ordinal),
            "every query selects the same job as the alert rules");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Dashboard_queries_are_valid_promql(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var folder = TestRun.ScenarioFolder(scenarioId, "dashboard-promql");

        // promtool parses PromQL in rule files: each query becomes a recording rule, Grafana's interval variables a fixed range.
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        var queries = Queries(LoadDashboard(tree.Root)).ToArray();
        for (var i = 0; i < queries.Length; i++)
        {
            var expr = GrafanaInterval().Replace(queries[i], "5m");
            rules.Append(CultureInfo.InvariantCulture, $"      - record: dashboard:query_{i}\n        expr: {YamlString(expr)}\n");
        }

        File.WriteAllText(Path.Combine(folder, "dashboard-queries.yaml"), rules.ToString());
        var check = await PromtoolAsync(folder, "check", "rules", "dashboard-queries.yaml");

        check.Succeeded.Should().BeTrue($"every query of {DashboardFile} must be valid PromQL:{Environment.NewLine}{check}");
        check.Output.Should().Contain($"SUCCESS: {queries.Length} rules found");
    }

    // ------------------------------------------------------------------ metric names

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Rules_and_dashboard_use_only_metrics_the_service_exports(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var used = UsedMetrics(tree.Root);
        var exported = ContractMetrics(scenario);

        used.Keys.Should().HaveCountGreaterThan(15, "the rules and the dashboard watch most of the service's metrics");
        used.Where(u => !IsContractSeries(u.Key, exported))
            .Select(u => $"{u.Key} (in {string.Join(", ", u.Value)})")
            .Should().BeEmpty($"every metric the rules and the dashboard query must be one the service exports: {string.Join(", ", exported.Keys)}");

        var doc = File.ReadAllText(Path.Combine(tree.Root, MonitoringDoc));
        exported.Where(m => !doc.Contains($"| `{m.Key}` | {m.Value} |", StringComparison.Ordinal)).Select(m => m.Key)
            .Should().BeEmpty($"{MonitoringDoc} lists every metric with its type");
        s_contractMetrics.Keys.Except(exported.Keys).Where(m => doc.Contains($"| `{m}` |", StringComparison.Ordinal))
            .Should().BeEmpty($"{MonitoringDoc} lists no metric this repository's service does not export");
    }

    [Theory]
    [InlineData("up{job=\"svc\"} == 0", "up")]
    [InlineData("absent(up{job=\"svc\"})", "up")]
    [InlineData("sum by (job, le) (rate(http_request_duration_seconds_bucket{job=\"svc\", code=~\"5..\", endpoint!~\"/health/.*\"}[5m]))", "http_request_duration_seconds_bucket")]
    [InlineData("time() - ml_model_created_timestamp_seconds{job=\"svc\"} > 30 * 24 * 3600", "ml_model_created_timestamp_seconds")]
    [InlineData("process_resident_memroy_bytes > 1e9", "process_resident_memroy_bytes")]
    [InlineData("sum(rate(a_total[$__rate_interval] offset 1d)) / on (feature) group_left sum without (instance) (b_total)", "a_total,b_total")]
    [InlineData("(sum(rate(x_total[5m])) or vector(0)) + ignoring(code) y", "x_total,y")]
    [InlineData("histogram_quantile(0.99, sum by (le) (rate(lat_bucket[5m]))) > bool 0.5 unless z", "lat_bucket,z")]
    public void Metric_names_are_read_from_promql(string expr, string expected) =>
        MetricNames(expr).Should().BeEquivalentTo(expected.Split(','));

    [Fact]
    public void A_misspelt_metric_is_not_a_contract_metric()
    {
        IsContractSeries("process_resident_memory_bytes", s_contractMetrics).Should().BeTrue();
        IsContractSeries("ml_prediction_probability_bucket", s_contractMetrics).Should().BeTrue("a histogram's series are its _bucket, _count and _sum");
        IsContractSeries("ml_predictions_total_bucket", s_contractMetrics).Should().BeFalse("a counter has no buckets");
        IsContractSeries("process_resident_memroy_bytes", s_contractMetrics).Should().BeFalse();
        IsContractSeries("ml_prediction_total", s_contractMetrics).Should().BeFalse();
    }

    // ------------------------------------------------------------------ a real Prometheus

    [Theory]
    [MemberData(nameof(ScrapedScenarioIds))]
    public async Task Prometheus_scrapes_every_metric_the_rules_and_the_dashboard_use(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var repo = await GeneratedRepo.GetAsync(scenario);
        var folder = TestRun.ScenarioFolder(scenarioId, "prometheus-scrape");
        var alerts = LoadAlerts(repo.Root);
        var job = JobOf(alerts);
        // Serve freshly trained models from a folder of our own, as the container serves /app/models.
        (await DotNetCli.RunAsync(repo.Root, ["run", "--project", repo.ProjectFolder("Training"), "--no-build", "--", "train"], repo.Log("monitoring-train"))).EnsureSuccess();
        var names = ModelNames(repo.Root);
        var models = Directory.CreateDirectory(Path.Combine(folder, "models")).FullName;
        foreach (var name in names)
        {
            Directory.CreateDirectory(Path.Combine(models, name));
            foreach (var file in new[] { "model.zip", "manifest.json" })
            {
                File.Copy(Path.Combine(repo.Root, "models", name, file), Path.Combine(models, name, file));
            }
        }

        var apiKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        await using var api = await StartApiAsync(repo, models, apiKey, await ServiceDatabase.NewAsync(scenario));
        var tasks = await ExerciseAsync(api.Client, apiKey, repo.Root, names);

        // A histogram of predictions exists for the tasks the repository has: probabilities of classifiers, values of regressions.
        // Live quality needs feedback on enough predictions, which this test does not send; the log's counters exist from the start.
        var expected = UsedMetrics(repo.Root).Keys.Union(s_prometheusSeries).Except(s_feedbackSeries)
            .Where(m => tasks.Any(t => t != "regression") || !m.StartsWith("ml_prediction_probability", StringComparison.Ordinal))
            .Where(m => tasks.Contains("regression") || !m.StartsWith("ml_prediction_value", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();

        var prometheusPort = FreePort.Next();
        var config = Path.Combine(folder, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {YamlString(Path.Combine(repo.Root, RulesFile))}
            scrape_configs:
              - job_name: {job}
                scrape_interval: 1s
                scrape_timeout: 1s
                metrics_path: /metrics
                static_configs:
                  - targets: ["{api.Client.BaseAddress!.Authority}"]
            """);
        var spec = new ProcessSpec(
            "prometheus",
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{prometheusPort}"],
            folder);
        await using var prometheus = BackgroundProcess.Start(spec, repo.Log("monitoring-prometheus"));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{prometheusPort}"), Timeout = TimeSpan.FromSeconds(10) };
        await HttpPolling.WaitForStatusAsync(client, "/-/ready", HttpStatusCode.OK, s_scrapeTimeout, prometheus);

        var targets = await PollAsync(
            prometheus,
            async () => (await QueryAsync(client, "/api/v1/targets"))["activeTargets"]!.AsArray(),
            t => t.Any(target => (string?)target!["labels"]!["job"] == job && (string?)target["health"] == "up"),
            t => t.ToJsonString(),
            $"Prometheus must scrape the service as job {job}");
        output.WriteLine(targets.ToJsonString());

        var scraped = await PollAsync(
            prometheus,
            async () => (await QueryAsync(client, "/api/v1/label/__name__/values")).AsArray().Select(n => (string)n!).ToHashSet(StringComparer.Ordinal),
            n => expected.All(n.Contains),
            n => $"missing: {string.Join(", ", expected.Where(e => !n.Contains(e)))}; scraped: {string.Join(", ", n.Order(StringComparer.Ordinal))}",
            "every metric the rules and the dashboard use must reach Prometheus");
        output.WriteLine($"{expected.Length} metrics scraped: {string.Join(", ", expected)}");
        scraped.Should().Contain(expected);

        // Every model's series reach Prometheus under its own model label.
        var labelled = await PollAsync(
            prometheus,
            async () => (await QueryAsync(client, "/api/v1/label/model/values")).AsArray().Select(n => (string)n!).ToHashSet(StringComparer.Ordinal),
            l => names.All(l.Contains),
            l => string.Join(", ", l),
            "every model's series must carry its name as the label model");
        labelled.Should().Contain(names);

        // The rules load and evaluate against the real series without errors, and none of the uptime alerts is even pending.
        var rules = await PollAsync(
            prometheus,
            async () => (await QueryAsync(client, "/api/v1/rules"))["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).ToArray(),
            r => r.Length == alerts.Count && r.All(rule => (string?)rule!["health"] == "ok") && r.All(rule => (string?)rule!["state"] == "inactive"
                || !((string?)rule["name"] is "ServiceDown" or "InstanceDown" or "ServiceTargetMissing")),
            r => JsonSerializer.Serialize(r),
            "every rule must evaluate without errors, and the uptime alerts must stay inactive while the service is up");
        rules.Select(r => (string?)r!["name"]).Should().BeEquivalentTo(alerts.Select(a => a.Name));

        if (ServiceDatabase.Kind(scenario) != "none")
        {
            // The predictions this test made reach the log's database, and the counter that says so reaches Prometheus.
            await PollAsync(
                prometheus,
                async () => (await QueryAsync(client, "/api/v1/query?query=sum(ml_prediction_log_written_total)"))["result"]!.AsArray(),
                r => r.Count == 1 && double.Parse((string)r[0]!["value"]![1]!, CultureInfo.InvariantCulture) > 0,
                r => r.ToJsonString(),
                "the prediction log must write the predictions of this test and count them in ml_prediction_log_written_total");
        }
    }

    // ------------------------------------------------------------------ ML Test Score

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Ml_test_score_maps_all_28_tests_and_its_score_follows_from_them(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var doc = File.ReadAllText(Path.Combine(tree.Root, TestScoreDoc));
        var sections = new[] { "Data", "Model", "Infrastructure", "Monitoring" };
        var scores = new Dictionary<string, decimal>(StringComparer.Ordinal);

        foreach (var section in sections)
        {
            var body = SectionOf(doc, section);
            var rows = TestRow().Matches(body).ToArray();
            rows.Select(r => int.Parse(r.Groups["number"].Value, CultureInfo.InvariantCulture)).Should().Equal([1, 2, 3, 4, 5, 6, 7], $"the {section} area has seven tests");
            rows.Should().OnlyContain(r => r.Groups["how"].Value.Trim().Length > 40, $"each {section} test says how the repository covers it");
            var count = (string status) => rows.Count(r => r.Groups["status"].Value == status);
            var summary = SummaryRow(section).Match(doc);
            summary.Success.Should().BeTrue($"the score table has a row for {section}");
            summary.Groups["automated"].Value.Should().Be(count("Automated").ToString(CultureInfo.InvariantCulture), $"{section}: automated tests counted from its table");
            summary.Groups["manual"].Value.Should().Be(count("Manual").ToString(CultureInfo.InvariantCulture), $"{section}: manual tests counted from its table");
            summary.Groups["open"].Value.Should().Be(count("Open").ToString(CultureInfo.InvariantCulture), $"{section}: open tests counted from its table");
            scores[section] = count("Automated") + (count("Manual") * 0.5m);
            decimal.Parse(summary.Groups["score"].Value, CultureInfo.InvariantCulture).Should().Be(scores[section], $"{section}: 1 point per automated test, half per manual one");
        }

        var overall = OverallScore().Match(doc);
        overall.Success.Should().BeTrue("the score table ends with the overall score");
        decimal.Parse(overall.Groups["score"].Value, CultureInfo.InvariantCulture).Should().Be(scores.Values.Min(), "the overall score is the lowest area's");

        // Test classes the page names must exist in the generated tests, in the testing kit's suites (which every
        // model's tests derive from) or in the platform packages' own tests (which run once per release of the
        // platform), and alerts it names in the rule file.
        var platformTests = Path.Combine(RepoPaths.Root, "tests", "MlOps.Platform.Tests");
        var kitSuites = Path.Combine(TemplateSource.Folder("mlservice"), "platform", "MlOps.Platform.Testing");
        var testFiles = tree.Files.Where(f => f.StartsWith("tests/", StringComparison.Ordinal) && f.EndsWith("Tests.cs", StringComparison.Ordinal))
            .Select(f => Path.Combine(tree.Root, f))
            .Concat(Directory.GetFiles(platformTests, "*Tests.cs", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(kitSuites, "*Tests.cs"))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), File.ReadAllText, StringComparer.Ordinal);
        var named = NamedTest().Matches(doc).ToArray();
        named.Should().NotBeEmpty();
        foreach (var test in named)
        {
            var type = test.Groups["type"].Value;
            testFiles.Should().ContainKey(type, $"{TestScoreDoc} names {type}");
            if (test.Groups["method"].Success)
            {
                testFiles[type].Should().Contain($" {test.Groups["method"].Value}(", $"{TestScoreDoc} names {type}.{test.Groups["method"].Value}");
            }
        }

        var alertNames = LoadAlerts(tree.Root).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var codeTypes = tree.Files.Where(f => f.EndsWith(".cs", StringComparison.Ordinal)).Select(Path.GetFileNameWithoutExtension)
            .Concat(testFiles.Keys).ToHashSet(StringComparer.Ordinal);
        AlertMention().Matches(doc).Select(m => m.Groups["name"].Value)
            .Where(n => !alertNames.Contains(n) && !codeTypes.Contains(n))
            .Should().BeEmpty($"every alert {TestScoreDoc} names must exist in {RulesFile}");
    }

    // ------------------------------------------------------------------ helpers: the service

    private sealed record Api(BackgroundProcess Process, HttpClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Process.DisposeAsync();
        }
    }

    /// <summary>The built API as deployed (Production), with one API key configured; ready when /health/ready is 200.</summary>
    private static async Task<Api> StartApiAsync(GeneratedRepo repo, string modelsFolder, string apiKey, string? predictionLog)
    {
        var assembly = repo.BuiltAssembly("Api");
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var spec = DotNetCli.Spec(
            Path.GetDirectoryName(assembly)!,
            [assembly, "--urls", url],
            new Dictionary<string, string?>
            {
                ["Model__Directory"] = modelsFolder,
                ["Auth__ApiKeys__0"] = apiKey,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = null,
                ["ConnectionStrings__Predictions"] = predictionLog,
            });
        var process = BackgroundProcess.Start(spec, repo.Log("monitoring-api"));
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await HttpPolling.WaitForStatusAsync(client, "/health/ready", HttpStatusCode.OK, s_readyTimeout, process);
            return new Api(process, client);
        }
        catch
        {
            client.Dispose();
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Makes the service produce the series that only appear with traffic, for every model: good predictions (enough
    /// inputs for drift), a rejected input, and requests without and with a wrong API key. Returns the models' tasks.
    /// </summary>
    private static async Task<IReadOnlyList<string>> ExerciseAsync(HttpClient client, string apiKey, string repoRoot, IReadOnlyList<string> models)
    {
        var tasks = new List<string>();
        foreach (var model in models)
        {
            var path = $"/v1/models/{model}:predict";
            using (var metadata = new HttpRequestMessage(HttpMethod.Get, $"/v1/models/{model}"))
            {
                metadata.Headers.Add(ApiKeyHeader, apiKey);
                using var response = await client.SendAsync(metadata);
                response.StatusCode.Should().Be(HttpStatusCode.OK, $"{model} is ready");
                tasks.Add((string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task"]!);
            }

            var example = File.ReadAllText(Path.Combine(repoRoot, "docs", "examples", $"{model}.json"));
            (await PostAsync(client, path, example, apiKey)).Should().Be(HttpStatusCode.OK, $"the documented example of {model} is scored");

            // Full batches made of the example's instances: enough inputs for the drift score.
            var instances = JsonNode.Parse(example)!["instances"]!.AsArray();
            for (var batch = 0; batch < 2; batch++)
            {
                var many = new JsonArray();
                for (var i = 0; i < 100; i++)
                {
                    many.Add(instances[i % instances.Count]!.DeepClone());
                }

                (await PostAsync(client, path, new JsonObject { ["instances"] = many }.ToJsonString(), apiKey))
                    .Should().Be(HttpStatusCode.OK, $"a full batch of valid instances of {model} is scored");
            }

            var invalid = JsonNode.Parse(example)!;
            invalid["instances"]![0]!["not_a_feature"] = 1;
            (await PostAsync(client, path, invalid.ToJsonString(), apiKey)).Should().Be(HttpStatusCode.BadRequest, $"an unknown field is rejected by {model}");

            // Refused for the key (once authentication is on): one request without it, one with a wrong one.
            await PostAsync(client, path, example, apiKey: null);
            await PostAsync(client, path, example, apiKey: "not-the-key");
        }

        return tasks;
    }

    /// <summary>The repository's models: the names of params/*.yaml.</summary>
    private static string[] ModelNames(string root) =>
        Directory.GetFiles(Path.Combine(root, "params"), "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToArray();

    private static bool IsModelMetric(string series) => series.StartsWith("ml_", StringComparison.Ordinal)
        && !s_serviceWideMetrics.Contains(HistogramSeries().Match(series) is { Success: true } h ? h.Groups["base"].Value : series);

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string path, string body, string? apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Add(ApiKeyHeader, apiKey);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    // ------------------------------------------------------------------ helpers: Prometheus

    /// <summary>
    /// `promtool test rules` of a tree's alerts, run once per distinct pair of rules and rule tests: scenarios whose
    /// monitoring files are byte-identical (most differ only in what promtool never reads) share one run.
    /// </summary>
    private static Task<ProcessResult> RuleTestsOnceAsync(string root)
    {
        var key = Convert.ToHexString(SHA256.HashData(
            [.. File.ReadAllBytes(Path.Combine(root, RulesFile)), 0, .. File.ReadAllBytes(Path.Combine(root, RuleTestsFile))]));
        return s_ruleTests.GetOrAdd(key, _ => new Lazy<Task<ProcessResult>>(() => PromtoolAsync(root, "test", "rules", RuleTestsFile))).Value;
    }

    private static Task<ProcessResult> PromtoolAsync(string workingDirectory, params string[] arguments) =>
        ProcessRunner.RunAsync(new ProcessSpec("promtool", arguments, workingDirectory), s_promtoolTimeout);

    /// <summary>The data of a Prometheus HTTP API answer, which must have status success.</summary>
    private static async Task<JsonNode> QueryAsync(HttpClient client, string path)
    {
        var response = await JsonHttp.GetAsync(client, path);
        response.Status.Should().Be(HttpStatusCode.OK, $"GET {path}: {response}");
        ((string?)response.Json["status"]).Should().Be("success", $"GET {path}: {response}");
        return response.Required("data");
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds; fails with the last value after the scrape timeout.</summary>
    private static async Task<T> PollAsync<T>(BackgroundProcess prometheus, Func<Task<T>> read, Func<T, bool> done, Func<T, string> describe, string because)
    {
        var deadline = DateTime.UtcNow + s_scrapeTimeout;
        while (true)
        {
            prometheus.HasExited.Should().BeFalse($"Prometheus must keep running:{Environment.NewLine}{prometheus.Describe()}");
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{because}; still not the case after {s_scrapeTimeout.TotalSeconds:F0} s. Last answer:{Environment.NewLine}" +
                    $"{describe(value)}{Environment.NewLine}{prometheus.Describe()}");
            }

            await Task.Delay(500);
        }
    }

    // ------------------------------------------------------------------ helpers: files

    private sealed record Alert(string Name, string Expr, string? For, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);

    private static List<Alert> LoadAlerts(string root)
    {
        var alerts = new List<Alert>();
        foreach (var group in Sequence(LoadYaml(Path.Combine(root, RulesFile)), "groups").Cast<YamlMappingNode>())
        {
            foreach (var rule in Sequence(group, "rules").Cast<YamlMappingNode>())
            {
                Scalar(rule, "alert").Should().NotBeNull($"{RulesFile} holds alerting rules only");
                alerts.Add(new Alert(
                    Scalar(rule, "alert")!,
                    Scalar(rule, "expr") ?? string.Empty,
                    Scalar(rule, "for"),
                    Pairs(rule, "labels"),
                    Pairs(rule, "annotations")));
            }
        }

        alerts.Should().NotBeEmpty();
        return alerts;
    }

    /// <summary>The job every rule selects (they must agree): the scrape job name of the service.</summary>
    private static string JobOf(IEnumerable<Alert> alerts)
    {
        var jobs = alerts.SelectMany(a => JobMatcher().Matches(a.Expr)).Select(m => m.Groups["job"].Value).Distinct().ToArray();
        jobs.Should().ContainSingle("every rule selects the same job");
        return jobs[0];
    }

    private static JsonNode LoadDashboard(string root) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(root, DashboardFile))) ?? throw new InvalidDataException($"{DashboardFile} is empty");

    private static IEnumerable<JsonNode> Panels(JsonNode dashboard) =>
        dashboard["panels"]!.AsArray().SelectMany(p => new[] { p! }.Concat(p!["panels"] is JsonArray inner ? inner.Select(i => i!) : []));

    /// <summary>The grid cells (24 columns, rows of 30 px) a panel's gridPos covers.</summary>
    private static IEnumerable<(int X, int Y)> Cells(JsonNode gridPos)
    {
        var (x, y, w, h) = ((int)gridPos["x"]!, (int)gridPos["y"]!, (int)gridPos["w"]!, (int)gridPos["h"]!);
        return Enumerable.Range(x, w).SelectMany(column => Enumerable.Range(y, h).Select(row => (column, row)));
    }

    private static IEnumerable<string> Queries(JsonNode dashboard) =>
        Panels(dashboard).SelectMany(p => p["targets"] is JsonArray targets ? targets.Select(t => (string?)t!["expr"]) : [])
            .OfType<string>();

    /// <summary>Every metric name the rules and the dashboard query, with the files that use it.</summary>
    private static Dictionary<string, SortedSet<string>> UsedMetrics(string root)
    {
        var used = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Add(IEnumerable<string> exprs, string file)
        {
            foreach (var name in exprs.SelectMany(MetricNames))
            {
                (used.TryGetValue(name, out var files) ? files : used[name] = new SortedSet<string>(StringComparer.Ordinal)).Add(file);
            }
        }

        Add(LoadAlerts(root).Select(a => a.Expr), RulesFile);
        Add(Queries(LoadDashboard(root)), DashboardFile);
        return used;
    }

    /// <summary>The metrics a scenario's service exports: all of them, but no auth failures without API keys and no prediction log without a database.</summary>
    private static Dictionary<string, string> ContractMetrics(Scenario scenario)
    {
        var absent = new HashSet<string>(StringComparer.Ordinal);
        if (scenario.OptionValue("--auth") is not (null or "apikey"))
        {
            absent.Add("ml_auth_failures_total");
        }

        if (!HasPredictionLog(scenario))
        {
            absent.UnionWith(s_predictionLogMetrics);
        }

        return s_contractMetrics.Where(m => !absent.Contains(m.Key)).ToDictionary(StringComparer.Ordinal);
    }

    private static bool HasPredictionLog(Scenario scenario) => scenario.OptionValue("--database") is not "none";

    private static bool IsContractSeries(string name, IReadOnlyDictionary<string, string> exported)
    {
        if (exported.ContainsKey(name) || s_prometheusSeries.Contains(name))
        {
            return true;
        }

        var histogram = HistogramSeries().Match(name);
        return histogram.Success && exported.GetValueOrDefault(histogram.Groups["base"].Value) == "histogram";
    }

    /// <summary>
    /// The metric names of a PromQL expression: what is left once strings, label matchers, ranges, grouping
    /// clauses, numbers, keywords and function calls are taken out.
    /// </summary>
    private static HashSet<string> MetricNames(string expr)
    {
        var text = QuotedString().Replace(expr, "\"\"");
        text = LabelMatchers().Replace(text, "{}");
        text = RangeSelector().Replace(text, "[]");
        text = GroupingClause().Replace(text, " ");
        return Identifier().Matches(text)
            .Where(m => !m.Groups["call"].Success)
            .Select(m => m.Groups["name"].Value)
            .Where(name => !s_promqlKeywords.Contains(name))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static readonly HashSet<string> s_promqlKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan",
    };

    /// <summary>A YAML double-quoted scalar (JSON's string syntax is valid YAML).</summary>
    private static string YamlString(string value) =>
        JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static YamlMappingNode LoadYaml(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static IEnumerable<YamlNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence ? sequence.Children : [];

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlMappingNode mapping ? mapping : new YamlMappingNode();

    private static Dictionary<string, string> Pairs(YamlMappingNode node, string key) =>
        Mapping(node, key).Children.ToDictionary(p => p.Key.ToString(), p => ((YamlScalarNode)p.Value).Value ?? string.Empty, StringComparer.Ordinal);

    private static void Walk(JsonNode? node, Action<string, string, JsonNode> visit, string path = "$")
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    if (value is not null)
                    {
                        visit($"{path}.{name}", name, value);
                        Walk(value, visit, $"{path}.{name}");
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], visit, $"{path}[{i}]");
                }

                break;
        }
    }

    /// <summary>GitHub's anchors of the Markdown headings (outside code blocks): lower case, punctuation dropped, spaces to hyphens.</summary>
    private static HashSet<string> MarkdownAnchors(string markdown) =>
        Heading().Matches(FencedBlock().Replace(markdown, string.Empty))
            .Select(m => AnchorPunctuation().Replace(m.Groups["title"].Value.Trim().ToLowerInvariant(), string.Empty).Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The text of the "## <paramref name="title"/>" section of a Markdown document.</summary>
    private static string SectionOf(string markdown, string title)
    {
        var start = markdown.IndexOf($"\n## {title}\n", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, $"{TestScoreDoc} has a section '## {title}'");
        var end = markdown.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    private static Regex SummaryRow(string section) => new(
        $@"^\| {section} \| (?<automated>\d+) \| (?<manual>\d+) \| (?<open>\d+) \| (?<score>\d+(\.\d+)?) \|$", RegexOptions.Multiline);

    [GeneratedRegex(@"^\| (?<number>\d+) \| [^|]+ \| (?<status>Automated|Manual|Open) \| (?<how>[^|]+) \|$", RegexOptions.Multiline)]
    private static partial Regex TestRow();

    [GeneratedRegex(@"^\| \*\*Overall \(lowest area\)\*\* \|[ |]*\*\*(?<score>\d+(\.\d+)?)\*\* \|$", RegexOptions.Multiline)]
    private static partial Regex OverallScore();

    [GeneratedRegex(@"`(?<type>[A-Z]\w*Tests)(\.(?<method>\w+))?`")]
    private static partial Regex NamedTest();

    /// <summary>Backticked CamelCase words that may be alert names.</summary>
    [GeneratedRegex(@"`(?<name>(?:High|Low|Model|Feature|Service|Instance|Prediction|Auth)[A-Z]\w+)`")]
    private static partial Regex AlertMention();

    [GeneratedRegex(@"^[0-9]+(ms|s|m|h|d|w|y)$")]
    private static partial Regex PrometheusDuration();

    [GeneratedRegex(@"^### (?<name>\w+)$", RegexOptions.Multiline)]
    private static partial Regex RunbookHeading();

    [GeneratedRegex(@"^\| \[(?<name>\w+)\]\(#", RegexOptions.Multiline)]
    private static partial Regex AlertTableRow();

    [GeneratedRegex(@"^docs/MONITORING\.md#(?<anchor>[a-z0-9-]+)$")]
    private static partial Regex RunbookUrl();

    [GeneratedRegex(@"job=""(?<job>[^""]+)""")]
    private static partial Regex JobMatcher();

    [GeneratedRegex(@"^(?<base>.+)_(bucket|count|sum)$")]
    private static partial Regex HistogramSeries();

    [GeneratedRegex(@"\$__(rate_interval|interval|range)")]
    private static partial Regex GrafanaInterval();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'|`[^`]*`")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex GroupingClause();

    /// <summary>An aggregation with its grouping labels: <c>sum by (job, model) (</c> or <c>max by (model, feature) (</c>.</summary>
    [GeneratedRegex(@"\b(?:sum|min|max|avg|count|group|stddev|stdvar|topk|bottomk|quantile)\s+by\s*\((?<labels>[^)]*)\)")]
    private static partial Regex Aggregation();

    /// <summary>An aggregation over every label: <c>sum(</c>, <c>max (</c>.</summary>
    [GeneratedRegex(@"\b(?:sum|min|max|avg|count|group|stddev|stdvar|topk|bottomk|quantile)\s*\(")]
    private static partial Regex UngroupedAggregation();

    /// <summary>An identifier not glued to a number or a variable; <c>call</c> matches when a parenthesis follows (a function).</summary>
    [GeneratedRegex(@"(?<![\w.$:])(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^#{1,6}[ \t]+(?<title>.+?)[ \t]*#*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd} _-]")]
    private static partial Regex AnchorPunctuation();

    [GeneratedRegex(@"^[ \t]*```.*?^[ \t]*```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
