using Microsoft.Extensions.Options;

namespace MlOps.Platform.Serving.Inference;

/// <summary>
/// Loads every model in the background after start-up, so <c>/health/live</c> answers at once and
/// <c>/health/ready</c> turns 200 only when each model is loaded and its canary prediction passed.
/// Then it watches each model's file (<see cref="ModelHost.ModelPath"/>) and loads it again whenever the file
/// changes (size or modification time of it or of the manifest beside it). Polling every
/// <see cref="ServingOptions.ReloadIntervalSeconds"/> is what counts; a file system watcher only makes
/// it notice sooner. Polling sees what file events may miss, such as the symbolic link swap with which
/// Kubernetes updates a mounted volume. A service that started without a usable model keeps checking,
/// and turns ready as soon as a good one appears. Each model is watched on its own: one model's
/// failure never holds back another, and no file, however broken or hostile, ends the watch: each failure is one
/// log line, a count in <c>ml_model_reloads_total{result="failure"}</c> and a short reason in readiness.
/// </summary>
public sealed class ModelLoaderService(
    ServedModels models,
    IOptions<ServingOptions> options,
    ILogger<ModelLoaderService> logger) : BackgroundService
{
    /// <summary>How long a changed file must stay unchanged before it is loaded: a copy may still be under way.</summary>
    private static readonly TimeSpan s_settleTime = TimeSpan.FromMilliseconds(250);

    /// <summary>Loads and then watches every model, each on its own task, until the service stops.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(models.All.Select(host => Task.Run(
            async () =>
            {
                using var watch = new Watch(host, options.Value, logger);
                await watch.WatchAsync(stoppingToken);
            },
            stoppingToken)));

    /// <summary>Loads one model and reloads it when its file changes.</summary>
    private sealed class Watch(ModelHost host, ServingOptions options, ILogger logger) : IDisposable
    {
        private readonly SemaphoreSlim _changed = new(0, 1);

        public void Dispose() => _changed.Dispose();

        public async Task WatchAsync(CancellationToken stoppingToken)
        {
            var path = host.ModelPath;
            logger.LogInformation("Loading model {Model} from {ModelPath}", host.Definition.Name, path);
            var attempted = ModelFileStamp.Read(path);
            Load(path, stoppingToken);

            var interval = TimeSpan.FromSeconds(options.ReloadIntervalSeconds);
            if (interval == TimeSpan.Zero)
            {
                logger.LogInformation("Hot reload is off (Model:ReloadIntervalSeconds is 0); restart the service to serve a new {Model} model.", host.Definition.Name);
                return;
            }

            using var watcher = TryWatch(path);
            logger.LogInformation("Watching {ModelPath} for a new {Model} model every {Interval} s", path, host.Definition.Name, interval.TotalSeconds);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await _changed.WaitAsync(interval, stoppingToken);
                    var current = ModelFileStamp.Read(path);
                    if (current == attempted)
                    {
                        continue;
                    }

                    attempted = await SettleAsync(path, current, stoppingToken);
                    Load(path, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break; // shutting down
                }
                catch (Exception ex)
                {
                    // Not expected (loading refuses what files can do), but the watch must outlive anything.
                    logger.LogError("Watching model {Model} failed ({Error}: {Reason}); the watch goes on", host.Definition.Name, ex.GetType().Name, ex.Message);
                    host.Metrics.RecordLoadFailure();
                    await Task.Delay(interval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }
        }

        private void Load(string path, CancellationToken stoppingToken)
        {
            var outcome = host.TryLoad(path, stoppingToken);
            var model = host.Definition.Name;
            if (outcome.Loaded)
            {
                if (outcome.Previous is { } previous)
                {
                    logger.LogInformation("Model {Model} reloaded from {ModelPath}: {Version} replaces {PreviousVersion}", model, path, host.Model?.Version, previous.Version);
                }

                logger.LogInformation("{Status}", outcome.Message);
                logger.LogInformation("{DriftNote}", outcome.DriftNote);
            }
            else if (outcome.Previous is { } serving)
            {
                logger.LogError("Model {Model} reload refused; {Version} keeps serving: {Reason}", model, serving.Version, outcome.Message);
            }
            else
            {
                logger.LogError("Model {Model} not loaded; the service stays unready: {Reason}", model, outcome.Message);
            }
        }

        /// <summary>Waits until the file stops changing, and returns its final stamp.</summary>
        private static async Task<ModelFileStamp> SettleAsync(string path, ModelFileStamp stamp, CancellationToken stoppingToken)
        {
            for (var i = 0; i < 20; i++)
            {
                await Task.Delay(s_settleTime, stoppingToken);
                var again = ModelFileStamp.Read(path);
                if (again == stamp)
                {
                    break;
                }

                stamp = again;
            }

            return stamp;
        }

        /// <summary>File events on the model's folder end the wait early; without them polling still works.</summary>
        private FileSystemWatcher? TryWatch(string path)
        {
            var folder = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(folder))
            {
                return null;
            }

            try
            {
                var watcher = new FileSystemWatcher(folder)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                };
                watcher.Changed += (_, _) => Signal();
                watcher.Created += (_, _) => Signal();
                watcher.Deleted += (_, _) => Signal();
                watcher.Renamed += (_, _) => Signal();
                watcher.EnableRaisingEvents = true;
                return watcher;
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
            {
                logger.LogDebug("No file events for {Folder} ({Reason}); polling only", folder, ex.Message);
                return null;
            }
        }

        private void Signal()
        {
            try
            {
                if (_changed.CurrentCount == 0)
                {
                    _changed.Release();
                }
            }
            catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
            {
                // Already signalled, or shutting down.
            }
        }
    }
}

/// <summary>
/// What identifies the model file on disk without opening anything: the file a symbolic link finally points to, its
/// size and modification time, and the same of the manifest beside it. Reading only file metadata, a device, a pipe or
/// an unreadable file can never block or flood the watch.
/// </summary>
public sealed record ModelFileStamp(FileStamp Model, FileStamp Manifest)
{
    /// <summary>The stamps of the model file at <paramref name="modelPath"/> and of the manifest beside it.</summary>
    public static ModelFileStamp Read(string modelPath) =>
        new(FileStamp.Read(modelPath), FileStamp.Read(Path.Combine(Path.GetDirectoryName(modelPath)!, ModelManifest.FileName)));
}

/// <summary>One file's identity: where its links lead, whether it exists, its size and modification time.</summary>
public sealed record FileStamp(bool Exists, string Target, long Length, DateTime LastWriteUtc)
{
    /// <summary>The stamp of the file at <paramref name="path"/>, following symbolic links; a missing or unreadable file is stamped as not existing.</summary>
    public static FileStamp Read(string path)
    {
        try
        {
            var file = new FileInfo(path);
            if (file.LinkTarget is not null)
            {
                file = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            }

            return file.Exists
                ? new FileStamp(true, file.FullName, file.Length, file.LastWriteTimeUtc)
                : new FileStamp(false, file.FullName, 0, default);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new FileStamp(false, path, 0, default);
        }
    }
}
