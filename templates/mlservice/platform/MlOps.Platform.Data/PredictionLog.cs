using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using MlOps.Platform.Serving.Inference;

namespace MlOps.Platform.Data;

/// <summary>
/// The prediction log as the predict endpoint sees it: <see cref="TryWrite"/> samples a request, gives its
/// predictions ids and queues them, never waiting; <see cref="PredictionLogWriter"/> writes them in batches.
/// The queue is bounded in predictions (<see cref="PredictionLogOptions.QueueCapacity"/>): a request that does
/// not fit whole is dropped and counted, so a slow or absent database costs memory up to that bound and no time.
/// </summary>
public sealed class PredictionLog : IPredictionLog
{
    private readonly Channel<PendingPredictions> _queue;
    private readonly PredictionLogOptions _options;
    private readonly PredictionLogMetrics _metrics;
    private readonly OutageEpisodes _episodes;
    private readonly TimeProvider _time;
    private int _queued;

    /// <summary>A log with the configured queue, sampling and inputs mode.</summary>
    public PredictionLog(IOptions<PredictionLogOptions> options, PredictionLogMetrics metrics, OutageEpisodes episodes, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(episodes);
        ArgumentNullException.ThrowIfNull(time);
        _options = options.Value;
        _metrics = metrics;
        _episodes = episodes;
        _time = time;
        // One entry per request, each of at least one prediction: the count of predictions (_queued) is the
        // bound that matters, the channel's is a backstop.
        _queue = Channel.CreateBounded<PendingPredictions>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then returns false at once; nothing ever waits
            SingleReader = true,
        });
    }

    /// <summary>Predictions queued and not yet taken by the writer.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <inheritdoc />
    public bool TryWrite(ServedPredictions predictions, [NotNullWhen(true)] out IReadOnlyList<Guid>? ids)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ids = null;
        if (!Sampled())
        {
            return false;
        }

        var count = predictions.Inputs.Count;
        if (Interlocked.Add(ref _queued, count) > _options.QueueCapacity)
        {
            Interlocked.Add(ref _queued, -count);
            Drop(PredictionLogMetrics.QueueFull, count);
            return false;
        }

        var now = _time.GetUtcNow();
        var given = Ids(now, count);

        if (!_queue.Writer.TryWrite(new PendingPredictions(predictions, given, now.UtcDateTime)))
        {
            Interlocked.Add(ref _queued, -count);
            Drop(PredictionLogMetrics.Shutdown, count); // the writer has stopped taking more
            return false;
        }

        ids = given;
        return true;
    }

    /// <summary>The writer's end of the queue.</summary>
    internal ChannelReader<PendingPredictions> Reader => _queue.Reader;

    /// <summary>The writer took <paramref name="pending"/> off the queue: its room is free again.</summary>
    internal void Taken(PendingPredictions pending) => Interlocked.Add(ref _queued, -pending.Count);

    /// <summary>No more predictions are taken (the service is stopping); those queued can still be read.</summary>
    internal void Close() => _queue.Writer.TryComplete();

    /// <summary>
    /// <paramref name="count"/> version 7 UUIDs of <paramref name="now"/> that sort in instance order, as text (SQLite) and as
    /// bytes (PostgreSQL): the first is random, the others count up from it in its last 48 bits. Ordered by id, a request's
    /// predictions come back in the order they were sent, so an export of real traffic keeps the order of the requests.
    /// </summary>
    public static Guid[] Ids(DateTimeOffset now, int count)
    {
        var ids = new Guid[count];
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7(now).TryWriteBytes(bytes, bigEndian: true, out _);
        // The top bit of the counter is cleared, so that adding up to 2^47 never carries into the variant bits.
        bytes[10] &= 0x7F;
        var start = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]) & 0xFFFF_FFFF_FFFF;
        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]) & ~0xFFFF_FFFF_FFFFUL;
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], high | (start + (ulong)i));
            ids[i] = new Guid(bytes, bigEndian: true);
        }

        return ids;
    }

    private bool Sampled() =>
        _options.SampleRate >= 1 || (_options.SampleRate > 0 && Random.Shared.NextDouble() < _options.SampleRate);

    private void Drop(string reason, int count)
    {
        _metrics.RecordDropped(reason, count);
        _episodes.RecordDropped(reason, count);
    }
}
