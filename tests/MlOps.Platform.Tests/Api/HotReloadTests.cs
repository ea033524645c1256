using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// A new model.zip is picked up while the service runs: callers never see an error during the swap,
/// and a model that fails to load is refused while the good one keeps serving.
/// </summary>
public sealed class HotReloadTests : IDisposable
{
    private static readonly ModelDefinition s_definition = ServedModelCases.Any;
    private static readonly string s_instance = ServedModelCases.CanaryRequest(s_definition);
    private static readonly Uri s_predict = ServedModelCases.PredictUri(s_definition);
    private static readonly Uri s_model = ServedModelCases.MetadataUri(s_definition);
    private static readonly string s_modelLabel = $"model={s_definition.Name}";
    private static readonly Uri s_ready = new("/health/ready", UriKind.Relative);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private readonly ModelFolder _serving = new();
    private readonly ModelFolder _otherSeed = new();

    [Fact]
    public async Task A_new_model_is_swapped_in_under_load_and_a_corrupt_one_is_refused()
    {
        _serving.Install(Trained.ModelPath);
        var newVersion = TrainWithAnotherSeed();
        using var factory = new ApiFactory { ModelPaths = Serving(), Settings = new Dictionary<string, string?> { ["Model:ReloadIntervalSeconds"] = "1" } };
        var client = await factory.CreateStartedClientAsync();

        // Callers keep predicting while the new model is promoted.
        var served = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => PredictUntilAsync(client, served, failures, stop.Token))).ToArray();
        await WaitUntilAsync(() => !served.IsEmpty, "callers get predictions before the swap");
        _serving.Install(_otherSeed.ModelPath);
        await WaitUntilAsync(async () => await VersionAsync(client) == newVersion, $"GET {s_model} reports {newVersion}");
        await WaitUntilAsync(() => served.ContainsKey(newVersion), "callers get predictions from the new model");
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        failures.Should().BeEmpty("no request may fail while the model is swapped");
        served.Keys.Should().BeEquivalentTo([Trained.Manifest.Version, newVersion], "the traffic spanned the swap");

        // A corrupt model.zip is refused: the new model keeps serving and readiness says what failed.
        var failuresBefore = (await MetricsScrape.GetAsync(client)).Sum("ml_model_reloads_total", s_modelLabel, "result=failure");
        // Renamed into place, as a deployment replaces a file: the polling service may be reading the old one.
        await File.WriteAllTextAsync(_serving.ModelPath + ".tmp", "this is not a zip file");
        File.Move(_serving.ModelPath + ".tmp", _serving.ModelPath, overwrite: true);
        await WaitUntilAsync(
            async () => (await MetricsScrape.GetAsync(client)).Sum("ml_model_reloads_total", s_modelLabel, "result=failure") > failuresBefore,
            "ml_model_reloads_total{result=\"failure\"} counts the refused model");

        var ready = await client.GetAsync(s_ready);
        ready.StatusCode.Should().Be(HttpStatusCode.OK, "a good model still serves");
        var check = (await ready.Content.ReadFromJsonAsync<JsonObject>())!["checks"]!["models"]!;
        check["description"]!.GetValue<string>().Should().Contain("refused").And.Contain("corrupt");
        check["data"]![s_definition.Name]!["last_reload_error"]!.GetValue<string>().Should().Contain("corrupt");
        (await VersionAsync(client)).Should().Be(newVersion);
        var predict = await client.PostAsync(s_predict, Json(s_instance));
        predict.StatusCode.Should().Be(HttpStatusCode.OK);
        predict.Headers.GetValues("X-Model-Version").Should().Equal(newVersion);
        var info = (await MetricsScrape.GetAsync(client)).Find("ml_model_info", s_modelLabel).Should().ContainSingle("the old version's series is removed").Subject;
        info.Labels["version"].Should().Be(newVersion);

        // Putting a good model back clears the failure.
        _serving.Install(_otherSeed.ModelPath);
        await WaitUntilAsync(
            async () => !(await client.GetStringAsync(s_ready)).Contains("last_reload_error", StringComparison.Ordinal),
            "a successful reload clears the last reload error");
    }

    [Fact]
    public async Task With_reload_off_a_new_model_is_not_picked_up()
    {
        _serving.Install(Trained.ModelPath);
        var newVersion = TrainWithAnotherSeed();
        using var factory = new ApiFactory { ModelPaths = Serving(), Settings = new Dictionary<string, string?> { ["Model:ReloadIntervalSeconds"] = "0" } };
        var client = await factory.CreateStartedClientAsync();

        _serving.Install(_otherSeed.ModelPath);
        await Task.Delay(TimeSpan.FromSeconds(2));

        newVersion.Should().NotBe(Trained.Manifest.Version);
        (await VersionAsync(client)).Should().Be(Trained.Manifest.Version);
    }

    private static SharedTraining Trained => SharedModel.Of(s_definition);

    public void Dispose()
    {
        _serving.Dispose();
        _otherSeed.Dispose();
    }

    /// <summary>
    /// Trains a second model with another seed into its own folder. A seed gives another train/test split,
    /// which the quality gate may refuse for some trainers, so the first of a few seeds that passes is used.
    /// </summary>
    private string TrainWithAnotherSeed()
    {
        foreach (var seed in new[] { "1", "2", "3", "21" })
        {
            var options = new TrainingOptions
            {
                Root = Repository.Root,
                OutputDirectory = _otherSeed.Root,
                Overrides = [KeyValuePair.Create("seed", seed)],
            }.For(s_definition);
            try
            {
                var version = TrainingRun.Execute(options, TextWriter.Null).Version;
                while (version == Trained.Manifest.Version)
                {
                    // Versions are training timestamps: a model trained within the same second gets the same one.
                    Thread.Sleep(500);
                    version = TrainingRun.Execute(options, TextWriter.Null).Version;
                }

                return version;
            }
            catch (TrainingException ex) when (ex.ExitCode == 2)
            {
                // Refused by the quality gate: try the next seed.
            }
        }

        throw new InvalidOperationException("No seed gave a model that passes the quality gate.");
    }

    private static async Task PredictUntilAsync(
        HttpClient client, ConcurrentDictionary<string, int> served, ConcurrentQueue<string> failures, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.PostAsync(s_predict, Json(s_instance), CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                    continue;
                }

                served.AddOrUpdate(response.Headers.GetValues("X-Model-Version").Single(), 1, (_, n) => n + 1);
            }
            catch (HttpRequestException ex)
            {
                failures.Enqueue(ex.Message);
            }
        }
    }

    private Dictionary<string, string> Serving() => new() { [s_definition.Name] = _serving.ModelPath };

    private static async Task<string?> VersionAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonObject>(s_model))!["version"]!.GetValue<string>();

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {s_timeout.TotalSeconds} s for: {what}.");
            }

            await Task.Delay(50);
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
