using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// A data scientist's models trained in Python reach the golden path: a network trained and exported by PyTorch and a
/// classifier shaped as scikit-learn's converter writes it (ZipMap), both made in this test run on real datasets by
/// tests/MlOps.Platform.Tests/Onnx/Producers/make_models.py, each become a model of a fresh repo with one
/// `make add-model NAME=... ONNX=... DATA=... LABEL=...`; `make train` gates them, `make test` passes, and the started
/// service answers every evaluation row as the producer did. Graphs that cannot serve are refused and change nothing.
/// The other way, `make export-onnx` writes the repo's own ML.NET model as a graph that scores its data alike.
/// (Every shape the import binds, row by row, and every trainer's export are in the platform's tests: Onnx/.)
/// </summary>
public sealed class OnnxImportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    /// <summary>How a restored package appears among a project's resolved packages (project.assets.json), versus its pinned version.</summary>
    private const string OnnxRuntimePackage = "\"Microsoft.ML.OnnxRuntime/";

    private static readonly Scenario s_scenario = new("onnx-import", Scenarios.MlService, "Acme.Vision", ["--auth", "none"]);

    /// <summary>Model name, producer case, label column, task.</summary>
    private static readonly (string Name, string Case, string Label, string Task)[] s_imports =
    [
        ("tumour", "torch_binary", "diagnosis", "binary"),
        ("iris", "sklearn_multiclass_zipmap", "species", "multiclass"),
    ];

    [Fact]
    public async Task Graphs_from_PyTorch_and_scikit_learn_gate_serve_and_predict_as_their_producers()
    {
        var package = await TemplatePackage.GetAsync();
        var repo = await GeneratedRepo.InstantiateFreshAsync(package, s_scenario);
        var cases = await ProduceAsync(Path.Combine(Path.GetDirectoryName(repo.Root)!, "cases"));
        var apiProject = Path.Combine(repo.Root, "src", $"{s_scenario.Name}.Api");
        (await DotNetCli.RunAsync(repo.Root, ["restore", apiProject, "-nodeReuse:false"], repo.Log("2-restore-api"))).EnsureSuccess();
        var api = Path.Combine(apiProject, "obj", "project.assets.json");
        File.ReadAllText(api).Should().NotContain(OnnxRuntimePackage, "a repository without an ONNX model does not restore or ship the runtime");

        var before = FileTree.Hashes(repo.Root);
        foreach (var (refused, label, named) in new[] { ("unsupported_operator", "progression", "custom_scorer"), ("unbindable_input", "progression", "'sequence'") })
        {
            var result = await AddModelAsync(package, repo, "refused", Path.Combine(cases, refused), label, $"add-{refused}");
            result.ExitCode.Should().Be(2, result.ToString());
            result.StandardError.Should().Contain(named).And.Contain("Nothing was changed");
            FileTree.Hashes(repo.Root).Should().Equal(before, $"a refused graph ({refused}) changes nothing in the repo, the model project included");
        }

        foreach (var (name, producer, label, task) in s_imports)
        {
            var added = (await AddModelAsync(package, repo, name, Path.Combine(cases, producer), label, $"add-{name}")).EnsureSuccess();
            output.WriteLine(added.StandardOutput.TrimEnd());
            added.Output.Should().Contain("binding: ").And.Contain($"Added the {task} model '{name}'").And.Contain($"onnx/{name}.onnx");
        }

        var train = (await Make.RunAsync(repo.Root, ["train"], repo.Log("make-train"))).EnsureSuccess();
        output.WriteLine(train.StandardOutput.TrimEnd());
        foreach (var (name, _, _, _) in s_imports)
        {
            train.Output.Should().MatchRegex($@"\n  {name} +passed +[0-9.a-f]+ \(onnx, ", $"make train evaluates and gates {name}: {train}");
        }

        (await Make.RunAsync(repo.Root, ["test"], repo.Log("make-test"))).EnsureSuccess();
        var export = (await Make.RunAsync(repo.Root, ["export-onnx", "MODEL=churn"], repo.Log("make-export-onnx"))).EnsureSuccess();
        output.WriteLine(export.StandardOutput.TrimEnd());
        new FileInfo(Path.Combine(RepoModels.ModelsDirectory(repo.Root), "churn", "model.onnx")).Length.Should().BeGreaterThan(0, export.ToString());
        File.ReadAllText(api).Should().Contain(OnnxRuntimePackage, "the service of a repository with an ONNX model runs it");

        await using var service = await RunningService.StartAsync(repo, RepoModels.ModelsDirectory(repo.Root), TimeSpan.FromSeconds(90), logName: "api-onnx");
        foreach (var (name, producer, label, task) in s_imports)
        {
            var largest = await PredictEveryRowAsync(service, name, Path.Combine(cases, producer), label, task);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} ({producer}): every evaluation row served; largest difference from the producer {largest:G3}"));
        }
    }

    /// <summary>Runs the producers into <paramref name="folder"/>: real models, each with its evaluation rows and the producer's own predictions.</summary>
    private static async Task<string> ProduceAsync(string folder)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "MlOps.Platform.Tests", "Onnx", "Producers", "make_models.py");
        var result = await ProcessRunner.RunAsync(new ProcessSpec("/usr/bin/python3", [script, folder], RepoPaths.Root), TimeSpan.FromMinutes(3));
        result.EnsureSuccess();
        return folder;
    }

    private static Task<ProcessResult> AddModelAsync(TemplatePackage package, GeneratedRepo repo, string name, string producer, string label, string log) =>
        AddModelRunner.RunMakeAsync(
            package.Hive,
            repo.Root,
            ["add-model", $"NAME={name}", $"ONNX={Path.Combine(producer, "model.onnx")}", $"DATA={Path.Combine(producer, "eval.csv")}", $"LABEL={label}"],
            repo.Log(log));

    /// <summary>
    /// Sends every evaluation row of a producer's case (in batches of 50) and checks each answer against the producer's:
    /// the same class, probabilities within <see cref="Tolerance"/>; returns the largest difference.
    /// </summary>
    private static async Task<double> PredictEveryRowAsync(RunningService service, string name, string producer, string label, string task)
    {
        var rows = Csv(Path.Combine(producer, "eval.csv"));
        var expected = Csv(Path.Combine(producer, "expected.csv"));
        var largest = 0.0;
        for (var start = 0; start < rows.Count; start += 50)
        {
            var batch = rows.Skip(start).Take(50).ToList();
            var instances = new JsonArray([.. batch.Select(r => (JsonNode)new JsonObject(r.Where(c => c.Key != label).Select(c => KeyValuePair.Create(c.Key, (JsonNode?)JsonValue.Create(double.Parse(c.Value, CultureInfo.InvariantCulture))))))]);
            var response = await JsonHttp.PostAsync(service.Client, RepoModels.PredictPath(name), new JsonObject { ["instances"] = instances }.ToJsonString());
            response.Status.Should().Be(HttpStatusCode.OK, response.ToString());
            var predictions = response.Required("predictions").AsArray();
            predictions.Should().HaveCount(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var want = expected[start + i];
                var got = predictions[i]!.AsObject();
                var differences = task == "binary"
                    ? Binary(got, want)
                    : [.. want.Where(c => c.Key.StartsWith("p_", StringComparison.Ordinal)).Select(c => Math.Abs((double)got["probabilities"]![c.Key[2..]]! - Number(c.Value)))];
                if (task != "binary")
                {
                    ((string)got["label"]!).Should().Be(want["label"], $"row {start + i + 1} of {name}");
                }

                differences.Should().OnlyContain(d => d <= Tolerance, $"row {start + i + 1} of {name}: {got.ToJsonString()} against the producer's {string.Join(", ", want)}");
                largest = Math.Max(largest, differences.Max());
            }
        }

        return largest;
    }

    /// <summary>The positive class is 1: the served label is true exactly when the producer predicted 1.</summary>
    private static double[] Binary(JsonObject got, IReadOnlyDictionary<string, string> want)
    {
        ((bool)got["label"]!).Should().Be(want["label"] == "1", $"{got.ToJsonString()} against the producer's label {want["label"]}");
        return [Math.Abs((double)got["probability"]! - Number(want["p_1"]))];
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static List<Dictionary<string, string>> Csv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))];
    }
}
