using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>The README's two commands exist, CI uses the same test command, and the main job really works.</summary>
[Collection(RunsAlone.Name)]
public sealed class ReadmeCommandTests(ITestOutputHelper output)
{
    private const string DemoCommand = "bash build/demo.sh";
    private const string TestCommand = "bash build/test.sh";

    [Fact]
    public void Readme_gives_the_main_job_and_test_commands_and_ci_uses_the_test_command()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        readme.Should().Contain($"```bash\n{DemoCommand}\n```").And.Contain($"```bash\n{TestCommand}\n```");

        var ci = File.ReadAllText(Path.Combine(RepoPaths.Root, ".ci", "run"));
        ci.Should().Contain(TestCommand, ".ci/run must run the README's test command");
    }

    [Fact]
    public async Task Main_job_generates_trains_serves_and_predicts()
    {
        var log = Path.Combine(TestRun.Folder, "demo.log");
        var spec = DotNetCli.Spec(RepoPaths.Root, ["build/demo.sh"]) with { FileName = "bash" };

        var demo = await ProcessRunner.RunAsync(spec, TimeSpan.FromMinutes(15), log);
        output.WriteLine($"{DemoCommand} took {demo.Duration.TotalSeconds:F1} s; log: {log}");

        demo.EnsureSuccess();
        demo.Output.Should().Contain("\"predictions\"", $"the demo must print the prediction:{Environment.NewLine}{demo}")
            .And.Contain("API stopped.", "the demo must stop the API it started");
    }
}
