using System.ComponentModel.DataAnnotations;

namespace MlOps.Platform.Data;

/// <summary>
/// Configuration section <c>PredictionLog</c>, and the connection string <c>ConnectionStrings:Predictions</c>
/// (environment <c>ConnectionStrings__Predictions</c>, in the cluster from a Secret). Every value can be set by
/// environment, e.g. <c>PredictionLog__SampleRate</c>.
/// </summary>
public sealed class PredictionLogOptions
{
    /// <summary>The name of the configuration section.</summary>
    public const string Section = "PredictionLog";

    /// <summary>The name of the connection string (<c>ConnectionStrings:Predictions</c>).</summary>
    public const string ConnectionStringName = "Predictions";

    /// <summary>
    /// Whether the service logs its predictions at all, read once at start-up: <c>false</c> turns the log, its ids and the
    /// feedback endpoint off without a new build (an incident, a privacy request, a measurement of its cost).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The database: <c>sqlite</c> (a file, nothing to install) or <c>postgres</c>.</summary>
    public PredictionStore Provider { get; set; } = PredictionStore.Sqlite;

    /// <summary>From <c>ConnectionStrings:Predictions</c>, not from this section; never logged.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Most predictions waiting to be written; those that do not fit are dropped and counted. Bounds the log's memory.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Most predictions written in one batch (one transaction).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 256;

    /// <summary>Longest a prediction waits for its batch to fill before the batch is written anyway, in milliseconds.</summary>
    [Range(1, 60_000)]
    public int FlushIntervalMilliseconds { get; set; } = 200;

    /// <summary>Share of predict requests logged, from 0 (none) to 1 (all); a request is logged whole or not at all.</summary>
    [Range(0.0, 1.0)]
    public double SampleRate { get; set; } = 1.0;

    /// <summary>What is kept of each instance's inputs: <c>store</c> (the JSON), <c>hash</c> (its SHA-256) or <c>omit</c> (nothing).</summary>
    public InputsMode Inputs { get; set; } = InputsMode.Store;

    /// <summary>Applies the migrations when the service starts, in the background (readiness never waits for the database).</summary>
    public bool MigrateOnStart { get; set; }

    /// <summary>
    /// Age in days beyond which the service itself deletes predictions (with their feedback), a minute after start and daily;
    /// 0 (the default) leaves retention to <c>db-prune</c>, as a shared PostgreSQL should.
    /// </summary>
    [Range(0, 36_500)]
    public int RetentionDays { get; set; }

    /// <summary>Seconds between two computations of the live quality of the served models (<see cref="LiveQualityMonitor"/>).</summary>
    [Range(1, 86_400)]
    public int LiveQualityIntervalSeconds { get; set; } = 60;

    /// <summary>How many labelled predictions of a model, the newest, its live quality is computed on.</summary>
    [Range(1, 1_000_000)]
    public int LiveQualityWindow { get; set; } = 1000;

    /// <summary>Oldest prediction, in days, that counts towards live quality: older traffic says little about the model serving now.</summary>
    [Range(1, 3650)]
    public int LiveQualityMaxAgeDays { get; set; } = 30;

    /// <summary>
    /// Fewest labelled predictions a live metric is published for (below, only their count is): a metric of a handful
    /// of predictions is mostly noise. At most <see cref="LiveQualityWindow"/>.
    /// </summary>
    [Range(1, 1_000_000)]
    public int LiveQualityMinLabelled { get; set; } = 30;
}

/// <summary>The database behind the prediction log.</summary>
public enum PredictionStore
{
    /// <summary>A SQLite file: the default, for a laptop or one replica with a volume.</summary>
    Sqlite,

    /// <summary>PostgreSQL: for production and several replicas.</summary>
    Postgres,
}

/// <summary>What the prediction log keeps of a prediction's inputs (privacy).</summary>
public enum InputsMode
{
    /// <summary>The instance as JSON in the model's schema, so real traffic can be exported for training.</summary>
    Store,

    /// <summary>The SHA-256 of that JSON: equal inputs are recognised, the values are not kept. Inputs with few possible values can still be guessed from it.</summary>
    Hash,

    /// <summary>Nothing.</summary>
    Omit,
}
