using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The second day of a new hire: published data files, exactly as statsmodels ships them (Debian's python3-statsmodels;
/// tab-separated with quoted names, semicolon-separated), each become a model of a fresh repo with one
/// `make add-model NAME=... DATA=... LABEL=...`, with no hand edit; `make train` and `make test` pass, and the started
/// service predicts a real row of each. A file that cannot make a model is refused and changes nothing. (The same
/// import of six files of every task, through the testing kit, is in the platform's tests: Fixtures/ImportedModels.cs.)
/// </summary>
public sealed class DataImportTests(ITestOutputHelper output)
{
    private const string Statsmodels = "/usr/lib/python3/dist-packages/statsmodels/datasets";

    private static readonly Scenario s_scenario = new("data-import", Scenarios.MlService, "Acme.Data", ["--auth", "none"]);

    /// <summary>Model name, data file, label column, the task the import must infer.</summary>
    private static readonly (string Name, string File, string Label, string Task)[] s_imports =
    [
        ("vote", "anes96/anes96.csv", "vote", "binary"),
        ("travel", "modechoice/modechoice.csv", "mode", "multiclass"),
    ];

    [Fact]
    public async Task Published_csv_files_become_models_that_train_pass_their_tests_and_predict_a_real_row()
    {
        var package = await TemplatePackage.GetAsync();
        var repo = await GeneratedRepo.InstantiateFreshAsync(package, s_scenario);

        var before = FileTree.Hashes(repo.Root);
        var refused = await AddModelAsync(package, repo, "stack", "stackloss/stackloss.csv", "STACKLOSS", "add-refused");
        refused.ExitCode.Should().Be(2, refused.ToString());
        refused.StandardError.Should().Contain("has 21 complete row(s); at least 30 are needed").And.Contain("Nothing was changed");
        FileTree.Hashes(repo.Root).Should().Equal(before, "a refused file changes nothing in the repo");

        foreach (var (name, file, label, task) in s_imports)
        {
            var added = (await AddModelAsync(package, repo, name, file, label, $"add-{name}")).EnsureSuccess();
            output.WriteLine(added.StandardOutput.TrimEnd());
            added.Output.Should().Contain($"task: {task} (inferred from the label")
                .And.Contain($"Added the {task} model '{name}'")
                .And.Contain($"src/{s_scenario.Name}.Model/Models/{char.ToUpperInvariant(name[0])}{name[1..]}Model.cs");
        }

        var train = (await Make.RunAsync(repo.Root, ["train"], repo.Log("make-train"))).EnsureSuccess();
        output.WriteLine(train.StandardOutput.TrimEnd());
        foreach (var (name, _, _, _) in s_imports)
        {
            train.Output.Should().MatchRegex($@"\n  {name} +passed", $"make train trains and gates {name}: {train}");
        }

        var test = (await Make.RunAsync(repo.Root, ["test"], repo.Log("make-test"))).EnsureSuccess();
        test.Output.Should().MatchRegex(@"(Passed|succeeded):\s*[1-9]");

        var models = RepoModels.ModelsDirectory(repo.Root);
        await using var service = await RunningService.StartAsync(repo, models, TimeSpan.FromSeconds(90), logName: "api-imported");
        foreach (var (name, _, _, task) in s_imports)
        {
            var metadata = await JsonHttp.GetAsync(service.Client, $"/v1/models/{name}");
            metadata.Status.Should().Be(HttpStatusCode.OK, metadata.ToString());
            var request = RealRowRequest(repo.Root, name, metadata.Required("features").AsArray());
            var predicted = await JsonHttp.PostAsync(service.Client, RepoModels.PredictPath(name), request);
            var classes = task == "multiclass" ? metadata.Required("classes").AsArray().Select(c => c!.GetValue<string>()).ToArray() : null;
            PredictionShape.Assert(task, request, predicted, r => $"{r}{Environment.NewLine}{service.Process.Describe()}", classes);
            output.WriteLine($"POST {RepoModels.PredictPath(name)} {request} -> {predicted.Body}");
        }
    }

    private static Task<ProcessResult> AddModelAsync(TemplatePackage package, GeneratedRepo repo, string name, string file, string label, string log) =>
        AddModelRunner.RunMakeAsync(package.Hive, repo.Root, ["add-model", $"NAME={name}", $"DATA={Path.Combine(Statsmodels, file)}", $"LABEL={label}"], repo.Log(log));

    /// <summary>The tenth row of the model's data as a predict request, each value typed as the served schema says.</summary>
    private static string RealRowRequest(string root, string name, JsonArray features)
    {
        var lines = File.ReadAllLines(Path.Combine(root, "data", $"{name}.csv"));
        var header = lines[0].Split(',');
        var row = lines[10].Split(',');
        var instance = new JsonObject();
        foreach (var feature in features.Select(f => f!.AsObject()))
        {
            var featureName = (string)feature["name"]!;
            var cell = row[Array.IndexOf(header, featureName)];
            instance[featureName] = (string)feature["kind"]! == "categorical"
                ? JsonValue.Create(cell)
                : JsonValue.Create(double.Parse(cell, CultureInfo.InvariantCulture));
        }

        return new JsonObject { ["instances"] = new JsonArray(instance) }.ToJsonString();
    }
}
