using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// The generated repo's container image: its Dockerfile passes a linter and has the shape of a
/// production image, and (no Docker engine needed) its own build commands, replayed as written,
/// produce an image folder whose ENTRYPOINT serves predictions.
/// </summary>
public sealed partial class ContainerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The scenario whose image is built by replaying the Dockerfile: three models of three tasks (two of them added
    /// after generation), trained by LightGBM, the trainer with a native library the image must load. One image build
    /// of one model would add nothing this one lacks.
    /// </summary>
    public static TheoryData<string> ReplayedScenarioIds => new() { "two-added-models" };

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Dockerfile_passes_the_linter(string scenarioId)
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get(scenarioId));
        var dockerfile = Path.Combine(tree.Root, "Dockerfile");
        File.Exists(dockerfile).Should().BeTrue($"the generated repo must have a Dockerfile at {dockerfile}");

        var problems = await DockerfileLinter.LintAsync(TestRun.ScenarioFolder(scenarioId, "dockerfile-lint"), dockerfile);

        problems.Should().BeEmpty($"dockerfile-utils must find no problem in {dockerfile}:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
    }

    [Fact]
    public async Task Linter_reports_a_broken_Dockerfile()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var folder = TestRun.ScenarioFolder("defaults", "dockerfile-lint-broken");
        var broken = Path.Combine(folder, "Dockerfile");
        var text = await File.ReadAllTextAsync(Path.Combine(tree.Root, "Dockerfile"));
        text.Should().Contain("WORKDIR /app").And.Contain("EXPOSE 8080");
        await File.WriteAllTextAsync(broken, text.Replace("WORKDIR /app", "workdir app", StringComparison.Ordinal).Replace("EXPOSE 8080", "EXPOSE", StringComparison.Ordinal));

        var problems = await DockerfileLinter.LintAsync(folder, broken);

        var context = string.Join(Environment.NewLine, problems);
        problems.Should().Contain(p => p.Message.Contains("uppercase", StringComparison.OrdinalIgnoreCase), "a lowercase instruction is reported: " + context);
        problems.Should().Contain(p => p.Message.Contains("absolute", StringComparison.OrdinalIgnoreCase), "a relative WORKDIR is reported: " + context);
        problems.Should().Contain(p => p.Severity == "error" && p.Message.Contains("argument", StringComparison.OrdinalIgnoreCase), "EXPOSE without a port is an error: " + context);
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Image_is_multi_stage_slim_non_root_with_one_port(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var (dockerfile, text) = await LoadAsync(scenario);
        var final = dockerfile.Final;

        dockerfile.Stages.Should().HaveCountGreaterThanOrEqualTo(3, "build, test and runtime are separate stages:\n" + text);
        dockerfile.Stages.Select(s => s.Base).Where(b => dockerfile.FindStage(b, int.MaxValue) is null).Should().OnlyContain(
            image => Regex.IsMatch(image, @"^mcr\.microsoft\.com/dotnet/(sdk|aspnet):10\.0(@sha256:[0-9a-f]{64})?$"),
            "base images are the .NET 10 SDK and ASP.NET Core runtime, pinned by tag (and optionally digest)");
        final.Base.Should().StartWith("mcr.microsoft.com/dotnet/aspnet:", "the runtime stage is the slim ASP.NET Core image, not the SDK");

        final.All("WORKDIR").Should().ContainSingle().Which.Arguments.Should().Be("/app");
        var user = final.All("USER").LastOrDefault();
        user.Should().NotBeNull("the runtime stage must set a user; the base image runs as root");
        ResolvesToNonRootUser(final, user!.Arguments).Should().BeTrue($"the image must run as a non-root user, got USER {user.Arguments}");

        var exposed = dockerfile.Instructions.Where(i => i.Keyword == "EXPOSE").Should().ContainSingle("the image exposes exactly one port").Subject;
        var environment = StageEnvironment(final);
        environment.Should().ContainKey("ASPNETCORE_HTTP_PORTS");
        exposed.Arguments.Should().Be(environment["ASPNETCORE_HTTP_PORTS"], "the exposed port is the one ASP.NET Core listens on");
        environment.Should().Contain("ASPNETCORE_ENVIRONMENT", "Production");

        var labels = final.All("LABEL")
            .SelectMany(l => DockerWords.Declarations(DockerWords.Split(l.Arguments, null), legacyForm: true))
            .ToDictionary(l => l.Name, l => l.Value ?? string.Empty, StringComparer.Ordinal);
        foreach (var label in new[] { "title", "description", "source", "licenses", "revision", "version" })
        {
            labels.Should().ContainKey($"org.opencontainers.image.{label}", "the image carries the OCI annotations");
        }

        labels["org.opencontainers.image.revision"].Should().MatchRegex(@"^\$\{?[A-Z_]+\}?$", "the revision comes from a build argument");

        var entrypoint = final.All("ENTRYPOINT").Should().ContainSingle().Subject.JsonArguments();
        entrypoint.Should().Equal(["dotnet", $"{scenario.Name}.Api.dll"], "the API is started in exec form, so it receives SIGTERM directly");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Image_build_compiles_strictly_tests_and_trains_before_it_publishes(string scenarioId)
    {
        var (dockerfile, text) = await LoadAsync(Scenarios.Get(scenarioId));
        var needed = dockerfile.DependenciesOf(dockerfile.Final);
        var runs = needed.SelectMany(s => s.All("RUN")).Select(r => r.Arguments).ToArray();
        var context = $"stages the image needs: {string.Join(", ", needed)}{Environment.NewLine}{text}";

        // BuildKit builds only the stages the target depends on: the test stage must be one of them.
        runs.Should().Contain(r => r.StartsWith("dotnet build", StringComparison.Ordinal) && r.Contains("-warnaserror", StringComparison.Ordinal) && r.Contains("Release", StringComparison.Ordinal),
            "the image is compiled in Release with warnings as errors: " + context);
        runs.Should().Contain(r => r.StartsWith("dotnet test", StringComparison.Ordinal), "the tests run in the image build, which fails when they fail: " + context);
        runs.Should().Contain(r => r.Contains(".Training", StringComparison.Ordinal), "the model is trained (and gated) in the image build: " + context);
        runs.Should().Contain(r => r.StartsWith("dotnet publish", StringComparison.Ordinal), "the API is published: " + context);
        dockerfile.Stages.Should().Contain(s => s.Name == "test" && s.All("RUN").Any(r => r.Arguments.StartsWith("dotnet test", StringComparison.Ordinal)),
            "`docker build --target test` stops after the tests");

        var model = dockerfile.Final.All("COPY").Select(c => c.Arguments).Where(a => a.Contains("models", StringComparison.Ordinal));
        model.Should().ContainSingle("the trained model is copied into the runtime image: " + context);
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Restore_layer_is_cached_without_listing_projects(string scenarioId)
    {
        var (dockerfile, text) = await LoadAsync(Scenarios.Get(scenarioId));

        var restoreStage = dockerfile.Stages.Should().ContainSingle(s => s.All("RUN").Any(r => r.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal)),
            "one stage restores packages:\n" + text).Subject;
        var beforeRestore = restoreStage.Instructions.TakeWhile(i => !(i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal)));
        beforeRestore.Where(i => i.Keyword is "COPY" or "ADD").Should().OnlyContain(
            c => c.SplitFlags().Flags.ContainsKey("from"),
            "only restore's inputs (from a stage that keeps nothing else) may be copied before restore, so source edits keep the restore layer cached");
        dockerfile.Instructions.Where(i => i.Keyword is "COPY" or "ADD").Should().NotContain(
            c => c.Arguments.Contains(".csproj", StringComparison.Ordinal),
            "projects are not listed one by one: a new project must build without editing the Dockerfile");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Image_has_no_secrets_in_build_arguments_or_environment(string scenarioId)
    {
        var (dockerfile, _) = await LoadAsync(Scenarios.Get(scenarioId));

        var declared = dockerfile.Instructions
            .Where(i => i.Keyword is "ENV" or "ARG")
            .SelectMany(i => DockerWords.Declarations(DockerWords.Split(i.Arguments, null), legacyForm: i.Keyword == "ENV").Select(d => (Instruction: i, d.Name)))
            .ToArray();

        declared.Should().NotBeEmpty();
        declared.Should().NotContain(
            d => SecretName().IsMatch(d.Name),
            "build arguments and environment end up in the image's history: no keys, secrets, passwords or tokens");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Dockerignore_keeps_build_output_models_data_and_git_out(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var path = Path.Combine(tree.Root, ".dockerignore");
        File.Exists(path).Should().BeTrue($"the generated repo must have {path}");
        var ignore = DockerIgnore.Parse(await File.ReadAllTextAsync(path));
        var api = $"src/{scenario.Name}.Api";

        string[] excluded =
        [
            $"{api}/bin/Debug/net10.0/{scenario.Name}.Api.dll", $"{api}/obj/project.assets.json",
            $"tests/{scenario.Name}.Tests/bin/Release/net10.0/x.dll", "models/churn/model.zip", "models/churn/manifest.json",
            "models/churn/registry/20260101.000000.0000/model.zip", "models/churn/runs/20260101-000000-abcd.json",
            ".git/HEAD", ".dvc/cache/files/md5/00/11", "data/raw/customers.parquet", "artifacts/coverage/index.html",
            "tests/TestResults/run.trx", ".vs/config", ".idea/workspace.xml", "notebooks/.ipynb_checkpoints/explore-checkpoint.ipynb",
        ];
        excluded.Where(p => !ignore.IsExcluded(p)).Should().BeEmpty($"{path} must keep these out of the build context");

        // What the build, the tests and training read stays in: sources, tests, docs and manifests the tests
        // check, root settings, each model's parameters and committed sample data.
        var names = RepoModels.Names(tree.Root);
        names.Should().NotBeEmpty();
        var needed = tree.Files
            .Where(f => !f.Contains('/', StringComparison.Ordinal) || (f.StartsWith("data/", StringComparison.Ordinal) && f.EndsWith(".csv", StringComparison.Ordinal))
                || new[] { "src/", "tests/", "docs/", "deploy/", ".config/", "params/" }.Any(folder => f.StartsWith(folder, StringComparison.Ordinal)))
            .ToArray();
        needed.Should().Contain(["global.json", .. names.SelectMany(n => new[] { $"data/{n}.csv", $"params/{n}.yaml" })]);
        needed.Where(ignore.IsExcluded).Should().BeEmpty($"{path} must keep what the image build reads (the tests and training run inside it)");
    }

    [Theory]
    [MemberData(nameof(ReplayedScenarioIds))]
    public async Task Replayed_image_build_serves_predictions_from_its_workdir(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        // The developer's working copy as context: built (bin/obj) and possibly trained (models/), as `make docker-build` sees it.
        var repo = await GeneratedRepo.GetAsync(scenario);
        var folder = TestRun.ScenarioFolder(scenarioId, "container-replay");

        var image = await DockerfileReplay.BuildAsync(repo.Root, Path.Combine(folder, "build"), new Dictionary<string, string> { ["REVISION"] = "replay" });
        foreach (var (step, duration) in image.Steps)
        {
            output.WriteLine($"[{scenarioId}] {step,-86} {duration.TotalSeconds,6:F1} s");
        }

        foreach (var skipped in image.Skipped)
        {
            output.WriteLine($"[{scenarioId}] not replayed: {skipped}");
        }

        var names = RepoModels.Names(repo.Root);
        image.ContextFiles.Should().Contain(names.Select(n => $"data/{n}.csv")).And.NotContain(
            f => f.Contains("/bin/", StringComparison.Ordinal) || f.Contains("/obj/", StringComparison.Ordinal) || f.StartsWith("models/", StringComparison.Ordinal),
            ".dockerignore keeps the working copy's build output and models out of the build");

        AssertRestoreInputsOnly(image, repo.Root);

        var files = FileTree.RelativeFiles(image.Root);
        var workdir = image.WorkDir.TrimStart('/') + "/";
        files.Should().OnlyContain(f => f.StartsWith(workdir, StringComparison.Ordinal), "the runtime stage holds only what was copied into its WORKDIR");
        files.Should().Contain([$"{workdir}{scenario.Name}.Api.dll", $"{workdir}appsettings.json"]);
        files.Where(f => f.StartsWith($"{workdir}models/", StringComparison.Ordinal)).Should().BeEquivalentTo(
            names.SelectMany(n => new[] { $"{workdir}models/{n}/model.zip", $"{workdir}models/{n}/manifest.json" }),
            "every model's served pair is in the image, and nothing else of models/ (registry and runs stay in the build)");
        files.Should().NotContain(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)
                || f.Contains(".Tests.", StringComparison.Ordinal) || f.Contains(".Training.", StringComparison.Ordinal) || f.EndsWith(".csv", StringComparison.Ordinal),
            "no sources, tests, training app or data in the runtime image");
        image.User.Should().NotBeNullOrEmpty().And.NotBe("root").And.NotBe("0");

        var port = FreePort.Next();
        // As `docker run --env Auth__ApiKeys__0` would: the image itself holds no key.
        var environment = new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (name, value) in ServiceAuth.Environment(scenario).Where(v => v.Value is not null))
        {
            environment[name] = value!;
        }

        await using var server = image.Start(environment, Path.Combine(folder, "entrypoint.log"));
        using var client = ServiceAuth.Authorize(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) }, scenario);
        string Context(JsonResponse r) => $"{r}{Environment.NewLine}{server.Describe()}";

        var live = await HttpPolling.WaitForStatusAsync(client, "/health/live", HttpStatusCode.OK, s_readyTimeout, server);
        var ready = await HttpPolling.WaitForStatusAsync(client, "/health/ready", HttpStatusCode.OK, s_readyTimeout, server);
        output.WriteLine($"[{scenarioId}] ENTRYPOINT live after {live.TotalSeconds:F1} s, ready after {ready.TotalSeconds:F1} s");

        var list = await JsonHttp.GetAsync(client, "/v1/models");
        list.Status.Should().Be(HttpStatusCode.OK, Context(list));
        list.Required("models").AsArray().Select(n => n!.GetValue<string>()).Should().Equal(names, Context(list));
        foreach (var name in names)
        {
            var metadata = await JsonHttp.GetAsync(client, $"/v1/models/{name}");
            metadata.Status.Should().Be(HttpStatusCode.OK, Context(metadata));
            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(image.WorkingDirectory, "models", name, "manifest.json")))!;
            metadata.Required("version").GetValue<string>().Should().Be(manifest["version"]!.GetValue<string>(), "the service serves the model trained in the image build: " + Context(metadata));

            var request = await File.ReadAllTextAsync(RepoModels.Example(repo.Root, name));
            var predict = await JsonHttp.PostAsync(client, RepoModels.PredictPath(name), request);
            predict.Status.Should().Be(HttpStatusCode.OK, Context(predict));
            PredictionShape.Assert(metadata.Required("task").GetValue<string>(), request, predict, Context);
        }

        server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Should().NotBeEmpty()
            .And.OnlyContain(line => line.StartsWith('{'), "the image's environment is Production: JSON logs");
        var exitCode = await server.TerminateAsync(TimeSpan.FromSeconds(15));
        exitCode.Should().Be(0, "docker stop sends SIGTERM to the ENTRYPOINT process, which must exit cleanly: " + server.Describe());
    }

    /// <summary>The replay itself follows the builder's rules, so a green replay means something.</summary>
    [Fact]
    public async Task Replay_follows_docker_build_semantics()
    {
        var folder = TestRun.ScenarioFolder("dockerfile-replay", "semantics");
        var context = Path.Combine(folder, "context");
        WriteFiles(context, new Dictionary<string, string>
        {
            [".dockerignore"] = "**/bin/\nsecret.txt\ndata/*\n!data/keep.csv\n",
            ["app/main.txt"] = "main",
            ["app/bin/build-output.dll"] = "x",
            ["nested/bin/build-output.dll"] = "x",
            ["secret.txt"] = "x",
            ["data/keep.csv"] = "a,b",
            ["data/drop.csv"] = "a,b",
            ["Dockerfile"] = """
                ARG BASE_TAG=1.0
                FROM example.org/base:${BASE_TAG} AS first
                WORKDIR /work
                COPY . .
                ENV GREETING="hello world" \
                    NAME=first
                ARG WHO=nobody
                # Comment lines inside a continuation are dropped.
                RUN test "$GREETING" = "hello world" \
                # dropped
                    && test "$WHO" = "tester" \
                    && ls -a > listing.txt \
                    && echo "$NAME" > name.txt
                WORKDIR sub
                RUN echo nested > nested.txt

                FROM first AS second
                RUN test -z "$WHO" && test "$(pwd)" != "/" && cat ../name.txt nested.txt > inherited.txt

                FROM example.org/runtime:2 AS final
                WORKDIR /srv
                COPY --from=second /work/sub/inherited.txt ./
                COPY --from=first /work/listing.txt copied/
                USER 1000
                ENTRYPOINT ["/bin/sh", "-c", "cat inherited.txt"]
                """,
        });

        var image = await DockerfileReplay.BuildAsync(context, Path.Combine(folder, "build"), new Dictionary<string, string> { ["WHO"] = "tester" });

        image.ContextFiles.Should().BeEquivalentTo([".dockerignore", "Dockerfile", "app/main.txt", "data/keep.csv"], ".dockerignore is honoured, re-inclusion included");
        FileTree.RelativeFiles(image.Root).Should().Equal("srv/copied/listing.txt", "srv/inherited.txt");
        (await File.ReadAllTextAsync(Path.Combine(image.WorkingDirectory, "inherited.txt"))).Should().Be("first\nnested\n",
            "FROM <stage> inherits files, ENV and the (relative) WORKDIR; ARGs do not carry over");
        (await File.ReadAllTextAsync(Path.Combine(image.WorkingDirectory, "copied", "listing.txt"))).Should().NotContain("secret.txt").And.Contain("app");
        image.Environment.Should().NotContainKey("GREETING", "a stage FROM an image starts from that image's environment");
        image.User.Should().Be("1000");
        image.Entrypoint.Should().Equal("/bin/sh", "-c", "cat inherited.txt");
    }

    [Fact]
    public async Task Replay_fails_with_the_output_of_a_failing_RUN_and_on_what_it_cannot_replay()
    {
        var folder = TestRun.ScenarioFolder("dockerfile-replay", "failures");
        var failing = Path.Combine(folder, "failing");
        WriteFiles(failing, new Dictionary<string, string>
        {
            ["Dockerfile"] = "FROM example.org/base:1 AS build\nRUN echo before-the-failure && exit 3\nRUN echo never-runs\n",
        });
        var unsupported = Path.Combine(folder, "unsupported");
        WriteFiles(unsupported, new Dictionary<string, string>
        {
            ["Dockerfile"] = "FROM example.org/base:1\nADD https://example.org/archive.tar.gz /opt/\n",
        });

        var failure = await FluentActions.Awaiting(() => DockerfileReplay.BuildAsync(failing, Path.Combine(folder, "failing-build")))
            .Should().ThrowAsync<DockerfileReplayException>();
        failure.Which.Message.Should().Contain("before-the-failure").And.Contain("exit code 3").And.Contain("line 2").And.NotContain("never-runs");

        var refusal = await FluentActions.Awaiting(() => DockerfileReplay.BuildAsync(unsupported, Path.Combine(folder, "unsupported-build")))
            .Should().ThrowAsync<DockerfileReplayException>();
        refusal.Which.Message.Should().Contain("does not support ADD");
    }

    [Theory]
    [MemberData(nameof(Scenarios.AllIds), MemberType = typeof(Scenarios))]
    public async Task Dev_container_has_the_sdk_make_and_the_service_port(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var tree = await GeneratedTree.GetAsync(scenario);
        var path = Path.Combine(tree.Root, ".devcontainer", "devcontainer.json");
        File.Exists(path).Should().BeTrue($"the generated repo must have {path}");
        var json = JsonNode.Parse(
            await File.ReadAllTextAsync(path),
            documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        var context = $"{path}:{Environment.NewLine}{json}";

        json["image"]!.GetValue<string>().Should().MatchRegex(@"^mcr\.microsoft\.com/devcontainers/dotnet:(\d+-)?10\.0", ".NET 10 SDK, as global.json asks: " + context);
        json["onCreateCommand"]!.GetValue<string>().Should().MatchRegex(@"apt-get install .*\bmake\b", "the dotnet image has no make: " + context);
        var postCreate = json["postCreateCommand"]!.GetValue<string>();
        postCreate.Should().Be("make setup", context);
        var makefile = await File.ReadAllTextAsync(Path.Combine(tree.Root, "Makefile"));
        makefile.Should().MatchRegex(@"(?m)^setup:", "the post-create target exists");

        // The port make run serves on (the API's launch profile) is forwarded.
        var launch = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(tree.Root, "src", $"{scenario.Name}.Api", "Properties", "launchSettings.json")))!;
        var url = new Uri(launch["profiles"]!.AsObject().Select(p => p.Value!["applicationUrl"]!.GetValue<string>()).First().Split(';')[0]);
        json["forwardPorts"]!.AsArray().Select(p => p!.GetValue<int>()).Should().Contain(url.Port, context);

        var extensions = json["customizations"]!["vscode"]!["extensions"]!.AsArray().Select(e => e!.GetValue<string>()).ToArray();
        extensions.Should().Contain("ms-dotnettools.csdevkit", context);

        var features = json["features"]!.AsObject().Select(f => f.Key).ToArray();
        features.Should().Contain(f => f.Contains("docker-outside-of-docker", StringComparison.Ordinal), "make docker-build works inside: " + context);
        var kubernetes = scenario.OptionValue("--deploy") is null or "kubernetes";
        features.Any(f => f.Contains("kubectl", StringComparison.Ordinal)).Should().Be(kubernetes, "kubectl comes with the Kubernetes deploy option only: " + context);
        var lightGbm = scenario.OptionValue("--trainer", "-t") == "lightgbm";
        json["onCreateCommand"]!.GetValue<string>().Contains("libgomp1", StringComparison.Ordinal).Should().Be(lightGbm, "LightGBM needs the OpenMP runtime: " + context);
    }

    /// <summary>
    /// What the restore stage copies in before `dotnet restore` holds only restore's inputs, and every
    /// project of the repository (so a project added later is restored without editing the Dockerfile).
    /// </summary>
    private static void AssertRestoreInputsOnly(ReplayedImage image, string repoRoot)
    {
        static bool IsRestoreInput(string path) =>
            path.EndsWith(".csproj", StringComparison.Ordinal) || path.EndsWith(".props", StringComparison.Ordinal)
            || path.EndsWith(".targets", StringComparison.Ordinal) || path.EndsWith(".slnx", StringComparison.Ordinal)
            || Path.GetFileName(path) is "global.json" or "packages.lock.json" || Path.GetFileName(path).Equals("nuget.config", StringComparison.OrdinalIgnoreCase)
            || path == ".config/dotnet-tools.json"
            || (path.StartsWith("packages/", StringComparison.Ordinal) && path.EndsWith(".nupkg", StringComparison.Ordinal));

        var restoreStage = image.Dockerfile.Stages.Single(s => s.All("RUN").Any(r => r.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal)));
        var copies = restoreStage.Instructions
            .TakeWhile(i => !(i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal)))
            .Where(i => i.Keyword == "COPY")
            .ToArray();
        copies.Should().NotBeEmpty("restore's inputs are copied in before restore");
        var projects = FileTree.RelativeFiles(repoRoot, f => f.EndsWith(".csproj", StringComparison.Ordinal));
        foreach (var copy in copies)
        {
            var (flags, rest) = copy.SplitFlags();
            var source = DockerWords.Split(rest, null)[0];
            var folder = DockerfileReplay.Map(image.StageFolders[flags["from"]], source);
            var inputs = FileTree.RelativeFiles(folder);
            inputs.Where(f => !IsRestoreInput(f)).Should().BeEmpty($"{copy} must bring only restore's inputs (found in {folder})");
            inputs.Where(f => f.EndsWith(".csproj", StringComparison.Ordinal)).Should().BeEquivalentTo(projects, "every project is restored");
        }
    }

    private static void WriteFiles(string root, IReadOnlyDictionary<string, string> files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    private static async Task<(DockerfileModel Dockerfile, string Text)> LoadAsync(Scenario scenario)
    {
        var tree = await GeneratedTree.GetAsync(scenario);
        var path = Path.Combine(tree.Root, "Dockerfile");
        File.Exists(path).Should().BeTrue($"the generated repo must have a Dockerfile at {path}");
        var text = await File.ReadAllTextAsync(path);
        return (DockerfileModel.Parse(text), text);
    }

    /// <summary>ENV of a stage, inherited ones included (FROM &lt;stage&gt;).</summary>
    private static Dictionary<string, string> StageEnvironment(DockerStage stage) =>
        stage.All("ENV")
            .SelectMany(e => DockerWords.Declarations(DockerWords.Split(e.Arguments, null), legacyForm: true))
            .ToDictionary(d => d.Name, d => d.Value ?? string.Empty, StringComparer.Ordinal);

    /// <summary>
    /// A USER that is neither root nor uid 0; `$APP_UID` counts when the stage is based on a .NET
    /// image, which defines it as the unprivileged 'app' user (1654).
    /// </summary>
    private static bool ResolvesToNonRootUser(DockerStage stage, string user)
    {
        var name = user.Split(':')[0];
        if (name is "$APP_UID" or "${APP_UID}")
        {
            return stage.Base.StartsWith("mcr.microsoft.com/dotnet/", StringComparison.Ordinal);
        }

        return name.Length > 0 && name is not ("root" or "0") && !name.StartsWith('$');
    }

    [GeneratedRegex("KEY|SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
