using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MlOpsTemplates.Tests.Infrastructure;

/// <summary>
/// Builds a Dockerfile without a Docker engine by running its own instructions as written:
/// each stage gets a folder that stands for its filesystem, WORKDIR paths map into it, COPY copies
/// from the build context (honouring .dockerignore) or from an earlier stage's folder, and each RUN
/// runs with the stage's shell, working directory, ARGs and ENV on this machine's .NET SDK.
/// Every stage runs in the same folder (<c>active</c>), so absolute paths seen by the tools are the
/// same in every stage, as in a real build; a finished stage is moved to <c>stages/</c>.
/// What cannot be replayed fails loudly (ADD, wildcards, COPY from external images, heredocs);
/// the only RUNs not executed are OS package installs, whose packages must then be present here.
/// </summary>
public sealed class DockerfileReplay
{
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Environment the official .NET base images define (from their Dockerfiles in dotnet/dotnet-docker).</summary>
    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> s_baseImageEnvironment =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            ["mcr.microsoft.com/dotnet/runtime-deps"] = RuntimeImageEnvironment(),
            ["mcr.microsoft.com/dotnet/runtime"] = RuntimeImageEnvironment(),
            ["mcr.microsoft.com/dotnet/aspnet"] = RuntimeImageEnvironment(),
            ["mcr.microsoft.com/dotnet/sdk"] = new Dictionary<string, string>(RuntimeImageEnvironment(), StringComparer.Ordinal)
            {
                ["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false",
                ["DOTNET_NOLOGO"] = "true",
                ["DOTNET_USE_POLLING_FILE_WATCHER"] = "true",
                ["NUGET_XMLDOC_MODE"] = "skip",
            },
        };

    private static readonly Regex s_packageManager = new(@"(^|[\s;&|])(apt-get|apt|apk|dnf|microdnf|tdnf|yum)\s", RegexOptions.CultureInvariant);

    private readonly DockerfileModel _dockerfile;
    private readonly string _context;
    private readonly DockerIgnore _ignore;
    private readonly string _folder;
    private readonly IReadOnlyDictionary<string, string> _buildArgs;
    private readonly Dictionary<int, StageState> _finished = [];
    private readonly List<(string Step, TimeSpan Duration)> _steps = [];
    private readonly List<string> _contextFiles = [];
    private readonly List<string> _skipped = [];
    private int _logNumber;

    private DockerfileReplay(DockerfileModel dockerfile, string context, string folder, IReadOnlyDictionary<string, string> buildArgs)
    {
        _dockerfile = dockerfile;
        _context = Path.GetFullPath(context);
        _ignore = DockerIgnore.Load(_context);
        _folder = Path.GetFullPath(folder);
        _buildArgs = buildArgs;
    }

    private string Active => Path.Combine(_folder, "active");

    private string Logs => Path.Combine(_folder, "logs");

    /// <summary>
    /// `docker build [--build-arg ...] &lt;context&gt;` of the context's Dockerfile, replayed in <paramref name="folder"/>
    /// (which must be empty or missing). Throws with the instruction and its output when a step fails.
    /// </summary>
    public static async Task<ReplayedImage> BuildAsync(string context, string folder, IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        var dockerfile = DockerfileModel.Load(Path.Combine(context, "Dockerfile"));
        var replay = new DockerfileReplay(dockerfile, context, folder, buildArgs ?? new Dictionary<string, string>());
        return await replay.RunAsync();
    }

    private async Task<ReplayedImage> RunAsync()
    {
        Directory.CreateDirectory(_folder);
        Directory.CreateDirectory(Path.Combine(_folder, "stages"));
        var target = _dockerfile.Final;
        StageState? state = null;
        foreach (var stage in _dockerfile.DependenciesOf(target))
        {
            state = await RunStageAsync(stage);
        }

        return new ReplayedImage(
            _dockerfile,
            state!.Root,
            state.WorkDir,
            Map(state.Root, state.WorkDir),
            new Dictionary<string, string>(state.Env, StringComparer.Ordinal),
            state.Entrypoint ?? [],
            state.User,
            _steps.ToArray(),
            _contextFiles.ToArray(),
            _skipped.ToArray(),
            _dockerfile.Stages.Where(s => _finished.ContainsKey(s.Index)).ToDictionary(s => s.Id, s => _finished[s.Index].Root, StringComparer.Ordinal));
    }

    private async Task<StageState> RunStageAsync(DockerStage stage)
    {
        var stopwatch = Stopwatch.StartNew();
        if (Directory.Exists(Active))
        {
            Directory.Delete(Active, recursive: true);
        }

        StageState state;
        if (_dockerfile.FindStage(stage.Base, stage.Index) is { } parent)
        {
            // FROM <stage>: everything the parent stage had, its environment and settings (not its ARGs).
            var parentState = _finished[parent.Index];
            (await ProcessRunner.RunAsync(new ProcessSpec("cp", ["-a", parentState.Root, Active], _folder), s_runTimeout)).EnsureSuccess();
            state = parentState.Derive(Active);
        }
        else
        {
            // FROM <image>: an empty filesystem with the image's own environment.
            Directory.CreateDirectory(Active);
            state = new StageState(Active);
            var repository = Regex.Replace(stage.Base, @"(@sha256:[0-9a-f]+)?$", string.Empty);
            repository = Regex.Replace(repository, @":[^/:]+$", string.Empty);
            foreach (var (name, value) in s_baseImageEnvironment.GetValueOrDefault(repository) ?? new Dictionary<string, string>())
            {
                state.Env[name] = value;
            }
        }

        foreach (var instruction in stage.Instructions)
        {
            await ExecuteAsync(stage, state, instruction);
        }

        var done = Path.Combine(_folder, "stages", $"{stage.Index}-{stage.Id}");
        Directory.Move(Active, done);
        var finished = state.Derive(done);
        _finished[stage.Index] = finished;
        _steps.Add(($"stage {stage.Id}", stopwatch.Elapsed));
        return finished;
    }

    private async Task ExecuteAsync(DockerStage stage, StageState state, DockerInstruction instruction)
    {
        switch (instruction.Keyword)
        {
            case "ARG":
                foreach (var (name, value) in DockerWords.Declarations(DockerWords.Split(instruction.Arguments, state.Lookup)))
                {
                    state.Args[name] = _buildArgs.TryGetValue(name, out var given) ? given : value ?? GlobalArg(name);
                }

                break;
            case "ENV":
                foreach (var (name, value) in DockerWords.Declarations(DockerWords.Split(instruction.Arguments, state.Lookup), legacyForm: true))
                {
                    state.Env[name] = value ?? throw Unsupported(stage, instruction, "ENV without a value");
                }

                break;
            case "WORKDIR":
                state.WorkDir = PosixCombine(state.WorkDir, DockerWords.ExpandAll(instruction.Arguments, state.Lookup));
                Directory.CreateDirectory(Map(state.Root, state.WorkDir));
                break;
            case "COPY":
                Copy(stage, state, instruction);
                break;
            case "RUN":
                await RunAsync(stage, state, instruction);
                break;
            case "SHELL":
                state.Shell = instruction.JsonArguments() ?? throw Unsupported(stage, instruction, "SHELL needs the JSON form");
                break;
            case "USER":
                state.User = DockerWords.ExpandAll(instruction.Arguments, state.Lookup);
                break;
            case "ENTRYPOINT":
                state.Entrypoint = instruction.JsonArguments() ?? [.. state.Shell, instruction.Arguments];
                break;
            case "CMD":
                throw Unsupported(stage, instruction, "CMD (the service is started by ENTRYPOINT alone)");
            case "EXPOSE" or "LABEL" or "HEALTHCHECK" or "STOPSIGNAL" or "VOLUME":
                // Metadata of the image: no effect on its filesystem.
                break;
            default:
                throw Unsupported(stage, instruction, instruction.Keyword);
        }
    }

    private void Copy(DockerStage stage, StageState state, DockerInstruction instruction)
    {
        var (flags, rest) = instruction.SplitFlags();
        var unknown = flags.Keys.Except(["from", "chown", "chmod", "link"]).ToArray();
        if (unknown.Length > 0)
        {
            throw Unsupported(stage, instruction, $"COPY --{unknown[0]}");
        }

        var words = instruction.IsJsonForm
            ? new DockerInstruction(instruction.Line, "COPY", rest).JsonArguments() ?? throw Unsupported(stage, instruction, "malformed JSON")
            : DockerWords.Split(rest, state.Lookup);
        if (words.Count < 2)
        {
            throw Unsupported(stage, instruction, "COPY needs a source and a destination");
        }

        var destination = words[^1];
        var intoFolder = destination.EndsWith('/') || words.Count > 2;
        var destinationPath = Map(state.Root, PosixCombine(state.WorkDir, destination));
        StageState? from = null;
        if (flags.TryGetValue("from", out var reference))
        {
            var source = _dockerfile.FindStage(reference, stage.Index)
                ?? throw Unsupported(stage, instruction, $"COPY --from={reference} (an image, not an earlier stage)");
            from = _finished[source.Index];
        }

        foreach (var source in words.Take(words.Count - 1))
        {
            if (source.IndexOfAny(['*', '?', '[']) >= 0)
            {
                throw Unsupported(stage, instruction, $"wildcard source '{source}'");
            }

            // Context sources are relative to the context root; --from sources to the stage's root.
            var relative = PosixCombine("/", source).TrimStart('/');
            var root = from?.Root ?? _context;
            var sourcePath = relative.Length == 0 ? root : Map(root, "/" + relative);
            if (Directory.Exists(sourcePath))
            {
                // A folder's contents are copied, not the folder itself.
                foreach (var file in FileTree.RelativeFiles(sourcePath))
                {
                    var contextPath = relative.Length == 0 ? file : $"{relative}/{file}";
                    if (from is null && _ignore.IsExcluded(contextPath))
                    {
                        continue;
                    }

                    CopyFile(Path.Combine(sourcePath, file), Path.Combine(destinationPath, file));
                    if (from is null)
                    {
                        _contextFiles.Add(contextPath);
                    }
                }
            }
            else if (File.Exists(sourcePath) && !(from is null && _ignore.IsExcluded(relative)))
            {
                var target = intoFolder || Directory.Exists(destinationPath) ? Path.Combine(destinationPath, Path.GetFileName(sourcePath)) : destinationPath;
                CopyFile(sourcePath, target);
                if (from is null)
                {
                    _contextFiles.Add(relative);
                }
            }
            else
            {
                throw new DockerfileReplayException(
                    $"{stage}: {instruction}: source '{source}' does not exist{(from is null ? " in the build context (or .dockerignore excludes it)" : $" in stage {reference}")}: {sourcePath}");
            }
        }
    }

    private async Task RunAsync(DockerStage stage, StageState state, DockerInstruction instruction)
    {
        var (flags, command) = instruction.SplitFlags();
        if (flags.Count > 0)
        {
            throw Unsupported(stage, instruction, $"RUN --{flags.Keys.First()}");
        }

        if (command.Contains("<<", StringComparison.Ordinal))
        {
            throw Unsupported(stage, instruction, "heredoc");
        }

        var exec = new DockerInstruction(instruction.Line, "RUN", command).JsonArguments();
        var shellCommand = exec is null ? command : string.Join(' ', exec);
        if (s_packageManager.IsMatch(shellCommand))
        {
            await CheckOsPackagesAsync(stage, instruction, shellCommand);
            return;
        }

        var workingDirectory = Map(state.Root, state.WorkDir);
        Directory.CreateDirectory(workingDirectory);
        var environment = new Dictionary<string, string?>(DotNetCli.Environment);
        foreach (var (name, value) in state.Args.Where(a => a.Value is not null))
        {
            environment[name] = value;
        }

        foreach (var (name, value) in state.Env)
        {
            environment[name] = value;
        }

        IReadOnlyList<string> argv = exec ?? [.. state.Shell, command];
        var spec = new ProcessSpec(argv[0], argv.Skip(1).ToArray(), workingDirectory, environment);
        var log = Path.Combine(Logs, $"{++_logNumber:D2}-{stage.Id}-line{instruction.Line}.log");
        var result = await ProcessRunner.RunAsync(spec, s_runTimeout, log);
        _steps.Add(($"  {stage.Id}: RUN {Shorten(command)}", result.Duration));
        if (!result.Succeeded)
        {
            throw new DockerfileReplayException($"{stage}: {instruction} failed (log: {log}){Environment.NewLine}{result}");
        }
    }

    /// <summary>
    /// OS packages cannot be installed into this machine by a test: the RUN must do nothing but install
    /// them (apt-get update/install, clean-up), and every package must already be installed here.
    /// </summary>
    private async Task CheckOsPackagesAsync(DockerStage stage, DockerInstruction instruction, string command)
    {
        var parts = command.Split("&&", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var packages = new List<string>();
        foreach (var part in parts)
        {
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["apt-get", "update", ..] || (words is ["rm", "-rf", ..] && words.Skip(2).All(w => w.StartsWith("/var/lib/apt/lists", StringComparison.Ordinal))))
            {
                continue;
            }

            if (words is ["apt-get", "install", ..])
            {
                packages.AddRange(words.Skip(2).Where(w => !w.StartsWith('-')));
                continue;
            }

            throw Unsupported(stage, instruction, $"a RUN that mixes OS package management with other commands ('{part}')");
        }

        foreach (var package in packages)
        {
            var query = await ProcessRunner.RunAsync(new ProcessSpec("dpkg-query", ["-W", "-f=${Status}", package], _folder), TimeSpan.FromMinutes(1));
            if (!query.Succeeded || !query.StandardOutput.Contains("install ok installed", StringComparison.Ordinal))
            {
                throw new DockerfileReplayException(
                    $"{stage}: {instruction} installs the OS package '{package}', which this machine lacks; install it (apt-get install {package}) to replay the build.{Environment.NewLine}{query}");
            }
        }

        _skipped.Add($"{stage.Id}: RUN (line {instruction.Line}) installs OS packages {string.Join(", ", packages)}: present on this machine, not re-installed");
    }

    private string? GlobalArg(string name) =>
        DockerWords.Declarations(_dockerfile.GlobalArgs.SelectMany(a => DockerWords.Split(a.Arguments, null)))
            .Where(d => d.Name == name)
            .Select(d => _buildArgs.TryGetValue(name, out var given) ? given : d.Value)
            .LastOrDefault();

    private static void CopyFile(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target, overwrite: true);
    }

    /// <summary>A POSIX path of the stage mapped into its folder; never outside it.</summary>
    internal static string Map(string root, string posixPath)
    {
        var full = Path.GetFullPath(Path.Combine(root, PosixCombine("/", posixPath).TrimStart('/')));
        var rootFull = Path.GetFullPath(root);
        if (full != rootFull && !full.StartsWith(rootFull + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new DockerfileReplayException($"Path '{posixPath}' escapes the stage folder {root}.");
        }

        return full;
    }

    /// <summary>A POSIX path resolved against <paramref name="directory"/>, normalised ('.', '..', doubled '/').</summary>
    internal static string PosixCombine(string directory, string path)
    {
        var combined = path.StartsWith('/') ? path : $"{directory}/{path}";
        var segments = new List<string>();
        foreach (var segment in combined.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else
            {
                segments.Add(segment);
            }
        }

        return "/" + string.Join('/', segments);
    }

    private static string Shorten(string command)
    {
        var single = Regex.Replace(command, @"\s+", " ");
        return single.Length <= 70 ? single : single[..67] + "...";
    }

    private static DockerfileReplayException Unsupported(DockerStage stage, DockerInstruction instruction, string what) =>
        new($"{stage}: {instruction}: the replay does not support {what}.");

    private static Dictionary<string, string> RuntimeImageEnvironment() => new(StringComparer.Ordinal)
    {
        ["APP_UID"] = "1654",
        ["ASPNETCORE_HTTP_PORTS"] = "8080",
        ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
    };

    private sealed class StageState(string root)
    {
        public string Root { get; } = root;

        public Dictionary<string, string> Env { get; private init; } = new(StringComparer.Ordinal);

        public Dictionary<string, string?> Args { get; } = new(StringComparer.Ordinal);

        public string WorkDir { get; set; } = "/";

        public IReadOnlyList<string> Shell { get; set; } = ["/bin/sh", "-c"];

        public string? User { get; set; }

        public IReadOnlyList<string>? Entrypoint { get; set; }

        /// <summary>ENV wins over an ARG of the same name, as in Docker.</summary>
        public string? Lookup(string name) => Env.TryGetValue(name, out var value) ? value : Args.GetValueOrDefault(name);

        /// <summary>The same image at another folder (a child stage, or the stage once finished); ARGs do not carry over.</summary>
        public StageState Derive(string newRoot) => new(newRoot)
        {
            Env = new Dictionary<string, string>(Env, StringComparer.Ordinal),
            WorkDir = WorkDir,
            Shell = Shell,
            User = User,
            Entrypoint = Entrypoint,
        };
    }
}

/// <summary>
/// The final stage of a replayed build: its filesystem folder and the configuration `docker run` would use;
/// the folders of every stage built, by stage name (or index).
/// </summary>
public sealed record ReplayedImage(
    DockerfileModel Dockerfile,
    string Root,
    string WorkDir,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Entrypoint,
    string? User,
    IReadOnlyList<(string Step, TimeSpan Duration)> Steps,
    IReadOnlyList<string> ContextFiles,
    IReadOnlyList<string> Skipped,
    IReadOnlyDictionary<string, string> StageFolders)
{
    /// <summary>
    /// `docker run` of the image: the ENTRYPOINT started in the image's WORKDIR with the image's environment
    /// only (the developer's ASP.NET Core and model settings removed), <paramref name="overrides"/> applied.
    /// </summary>
    public BackgroundProcess Start(IReadOnlyDictionary<string, string> overrides, string logFile)
    {
        Entrypoint.Should().NotBeEmpty("the image must have an ENTRYPOINT");
        var environment = new Dictionary<string, string?>(DotNetCli.Environment);
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
                     .Where(n => n.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || n.StartsWith("Model__", StringComparison.Ordinal) || n == "DOTNET_ENVIRONMENT"))
        {
            environment[name] = null;
        }

        foreach (var (name, value) in Environment.Concat(overrides))
        {
            environment[name] = value;
        }

        var program = Entrypoint[0] == "dotnet" ? DotNetCli.Executable
            : Entrypoint[0].StartsWith('/') ? DockerfileReplay.Map(Root, Entrypoint[0])
            : Entrypoint[0];
        return BackgroundProcess.Start(new ProcessSpec(program, Entrypoint.Skip(1).ToArray(), WorkingDirectory, environment), logFile);
    }
}

public sealed class DockerfileReplayException(string message) : Exception(message);
