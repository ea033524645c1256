using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// A served model's files replaced by ones that cannot or must not be loaded: special files, oversized files, an
/// archive that unpacks to a gigabyte, manifest fields that would break a header. Each is refused with one log line
/// and a counted failure while the model before it keeps serving; the watch goes on and loads the next good model,
/// and shutdown is never held up. (Unreadable permissions cannot be shown here: the tests run as root.)
/// It runs beside other classes: it measures no throughput, and its waits (30 s for a refusal or a reload, 15 s
/// for a shutdown) are far above what the service needed in a full CI run (refused within 0.7 s, shut down in 2.1 s).
/// </summary>
public sealed class HostileModelFileTests(ITestOutputHelper output)
{
    private const string Model = "churn";
    private static readonly Scenario s_scenario = Scenarios.Get("defaults");

    [Theory]
    [InlineData("manifest-fifo")]
    [InlineData("manifest-dev-zero")]
    [InlineData("manifest-dev-urandom")]
    [InlineData("manifest-100-mb")]
    [InlineData("manifest-version-crlf")]
    [InlineData("manifest-version-non-ascii")]
    [InlineData("model-unpacks-to-1-gib")]
    [InlineData("model-is-a-folder")]
    public async Task A_hostile_model_file_is_refused_while_the_old_model_serves_and_the_next_good_one_loads(string attack)
    {
        var repo = await ReleaseRepo.GetAsync(s_scenario);
        var directory = Path.Combine(Path.GetDirectoryName(repo.Root)!, $"models-{attack}");
        var folder = RepoModels.Folder(directory, Model);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(folder);
        File.Copy(repo.ModelPath(Model), RepoModels.ModelFile(directory, Model));
        File.Copy(RepoModels.Manifest(repo.ModelFolder, Model), RepoModels.Manifest(directory, Model));
        var version = JsonNode.Parse(await File.ReadAllTextAsync(RepoModels.Manifest(directory, Model)))!["version"]!.GetValue<string>();
        await using var service = await ReleaseService.StartAsync(
            repo, directory, new Dictionary<string, string?> { ["Model__ReloadIntervalSeconds"] = "1" }, $"api-{attack}");
        await service.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        await PlaceAsync(attack, folder);
        var refused = await WaitForLogAsync(service, "reload refused", TimeSpan.FromSeconds(30));
        var refusedAfter = clock.Elapsed;
        await Task.Delay(2_500); // a few more polls: the same broken file is not retried and logged again
        var ready = await JsonHttp.GetAsync(service.Client, "/health/ready");
        var predict = await service.Client.PostAsync(RepoModels.PredictPath(Model), new StringContent(
            await File.ReadAllTextAsync(repo.ExampleRequest(Model)), System.Text.Encoding.UTF8, "application/json"));
        var metrics = await service.Client.GetStringAsync("/metrics");

        output.WriteLine($"{attack}: refused after {refusedAfter.TotalSeconds:F1} s: {refused}");
        output.WriteLine($"readiness: {ready.Body}");
        service.LogLines.Count(l => l.Contains("reload refused", StringComparison.Ordinal)).Should().Be(1, "one line per broken file, not one per poll");
        ready.Status.Should().Be(HttpStatusCode.OK, "the old model keeps serving");
        ready.Body.Should().Contain("refused").And.NotContain(directory, "readiness names no path").And.NotContain("/dev/");
        predict.StatusCode.Should().Be(HttpStatusCode.OK);
        predict.Headers.GetValues("X-Model-Version").Should().ContainSingle().Which.Should().Be(version);
        metrics.Should().Contain($"ml_model_reloads_total{{model=\"{Model}\",result=\"failure\"}} 1");

        // The watch is still alive: a good model placed as a promotion does is loaded.
        var next = await PlaceGoodModelAsync(repo, folder, version + "-next");
        var served = await WaitForVersionAsync(service, next, TimeSpan.FromSeconds(30));
        served.Should().Be(next, "the watch survived the broken file and loads the next good model");

        clock.Restart();
        var exit = await service.Process.TerminateAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"SIGTERM to exit: {clock.Elapsed.TotalSeconds:F1} s");
        exit.Should().Be(0);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "no model file holds up shutdown");
    }

    private static async Task PlaceAsync(string attack, string folder)
    {
        var manifest = Path.Combine(folder, "manifest.json");
        var model = Path.Combine(folder, "model.zip");
        switch (attack)
        {
            case "manifest-fifo":
                File.Delete(manifest);
                (await ProcessRunner.RunAsync(new ProcessSpec("mkfifo", [manifest], folder), TimeSpan.FromSeconds(10))).ExitCode.Should().Be(0);
                break;
            case "manifest-dev-zero":
                Replace(manifest, temp => File.CreateSymbolicLink(temp, "/dev/zero"));
                break;
            case "manifest-dev-urandom":
                Replace(manifest, temp => File.CreateSymbolicLink(temp, "/dev/urandom"));
                break;
            case "manifest-100-mb":
                Replace(manifest, temp =>
                {
                    using var file = File.Create(temp);
                    file.SetLength(100L * 1024 * 1024);
                });
                break;
            case "manifest-version-crlf":
                await ReplaceVersionAsync(manifest, "v1\r\nX-Injected: 1");
                break;
            case "manifest-version-non-ascii":
                await ReplaceVersionAsync(manifest, "v1-\u00e9t\u00e9");
                break;
            case "model-unpacks-to-1-gib":
                Replace(model, temp =>
                {
                    using var zip = ZipFile.Open(temp, ZipArchiveMode.Create);
                    using var entry = zip.CreateEntry("zeros", CompressionLevel.Fastest).Open();
                    var block = new byte[1024 * 1024];
                    for (var i = 0; i < 1024; i++)
                    {
                        entry.Write(block);
                    }
                });
                break;
            case "model-is-a-folder":
                File.Delete(model);
                Directory.CreateDirectory(model);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(attack), attack, "no such attack");
        }
    }

    /// <summary>Writes a file beside <paramref name="path"/> and renames it into place, as a promotion does.</summary>
    private static void Replace(string path, Action<string> write)
    {
        var temp = path + ".tmp";
        File.Delete(temp);
        write(temp);
        File.Move(temp, path, overwrite: true);
    }

    private static async Task ReplaceVersionAsync(string manifest, string version)
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(manifest))!;
        json["version"] = version;
        Replace(manifest, temp => File.WriteAllText(temp, json.ToJsonString()));
    }

    /// <summary>The repo's trained model under a new version: manifest first, model.zip renamed into place last.</summary>
    private static async Task<string> PlaceGoodModelAsync(ReleaseRepo repo, string folder, string version)
    {
        var model = Path.Combine(folder, "model.zip");
        if (Directory.Exists(model))
        {
            Directory.Delete(model);
        }

        var json = JsonNode.Parse(await File.ReadAllTextAsync(RepoModels.Manifest(repo.ModelFolder, Model)))!;
        json["version"] = version;
        var manifest = Path.Combine(folder, "manifest.json");
        Replace(manifest, temp => File.WriteAllText(temp, json.ToJsonString()));
        Replace(model, temp => File.Copy(repo.ModelPath(Model), temp));
        return version;
    }

    private static async Task<string?> WaitForVersionAsync(ReleaseService service, string version, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string? served = null;
        while (clock.Elapsed < timeout && served != version)
        {
            await Task.Delay(200);
            var metadata = await JsonHttp.GetAsync(service.Client, $"/v1/models/{Model}");
            served = metadata.Status == HttpStatusCode.OK ? metadata.Required("version").GetValue<string>() : null;
        }

        return served;
    }

    private static async Task<string> WaitForLogAsync(ReleaseService service, string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (service.LogLines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            service.Process.HasExited.Should().BeFalse($"the service must outlive any model file:{Environment.NewLine}{service.Process.Output}");
            await Task.Delay(200);
        }

        throw new TimeoutException($"no log line with '{text}' within {timeout.TotalSeconds} s:{Environment.NewLine}{service.Process.Output}");
    }
}
