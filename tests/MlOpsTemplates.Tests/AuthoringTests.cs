using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The template source is itself a repository a developer opens, builds and tests. In AuthoringMode
/// the code of every trainer choice compiles, so no option's code can rot unseen.
/// </summary>
public sealed class AuthoringTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Template_source_builds_warning_free_passes_its_tests_and_format_check_and_trains_every_trainer()
    {
        var root = Path.Combine(TestRun.ScenarioFolder("authoring", Scenarios.MlService), "repo");
        TemplateSource.CopyTo(Scenarios.MlService, root);
        var log = (string step) => Path.Combine(Path.GetDirectoryName(root)!, $"{step}.log");

        // The golden-path solution, then the platform's own: it also holds the libraries no template project uses yet.
        var platform = Path.Combine("platform", "MlOps.Platform.slnx");
        File.Exists(Path.Combine(root, platform)).Should().BeTrue("the template source holds the platform's solution");
        var restore = (await DotNetCli.RunAsync(root, ["restore", "-nodeReuse:false"], log("1-restore"))).EnsureSuccess();
        var restorePlatform = (await DotNetCli.RunAsync(root, ["restore", platform, "-nodeReuse:false"], log("1-restore-platform"))).EnsureSuccess();
        RestoreCheck.AssertRestored(root, restore with { Output = restore.Output + restorePlatform.Output });
        var build = (await DotNetCli.RunAsync(root, ["build", "--no-restore", "-warnaserror", "-nodeReuse:false"], log("2-build"))).EnsureSuccess();
        (await DotNetCli.RunAsync(root, ["build", platform, "--no-restore", "-warnaserror", "-nodeReuse:false"], log("2-build-platform"))).EnsureSuccess();
        var test = (await DotNetCli.RunAsync(root, ["test", "--no-build"], log("3-test"))).EnsureSuccess();
        var lint = (await Make.RunAsync(root, "lint", log("4-lint"))).EnsureSuccess();
        output.WriteLine($"authoring solution in {root}: restore {restore.Duration.TotalSeconds:F1} s, build {build.Duration.TotalSeconds:F1} s, " +
                         $"test {test.Duration.TotalSeconds:F1} s, make lint {lint.Duration.TotalSeconds:F1} s");

        var training = Path.GetRelativePath(root, Directory.GetDirectories(Path.Combine(root, "src"), "*.Training").Should().ContainSingle().Subject);
        var models = Directory.GetFiles(Path.Combine(root, "params"), "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray();
        models.Should().HaveCount(3, "the template source has one sample model per task");
        foreach (var trainer in TemplateDefinition.Load(Scenarios.MlService).Choices("Trainer"))
        {
            // Every model, so each trainer is trained for every task (binary, multiclass, regression).
            var artifacts = Path.Combine(Path.GetDirectoryName(root)!, $"models-{trainer}");
            var train = await DotNetCli.RunAsync(
                root, ["run", "--project", training, "--no-build", "--", "train", "--set", $"trainer={trainer}", "--models", artifacts], log($"5-train-{trainer}"));
            output.WriteLine($"train --set trainer={trainer} (all models): {train.Duration.TotalSeconds:F1} s");

            train.EnsureSuccess();
            foreach (var model in models)
            {
                File.Exists(Path.Combine(artifacts, model!, "model.zip")).Should().BeTrue($"AuthoringMode must compile and train '{trainer}' for the model '{model}':{Environment.NewLine}{train}");
            }
        }
    }
}
