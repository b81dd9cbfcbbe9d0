using System.Buffers;
using System.Threading.Channels;
using Tsdb.Core.IO;

namespace Tsdb.Wal;

/// <summary>
/// The write-ahead log: records are appended by one committer task in groups, one write and one fsync per group,
/// so concurrent writers share the cost of durability (group commit). A caller's task completes only once its record
/// is on disk (or, with sync = false, once it is written to the OS). Opening replays every segment in order, cuts a
/// torn or corrupt tail at the last valid record, and starts a new segment.
/// </summary>
public sealed class WriteAheadLog : IAsyncDisposable
{
    private const int MaxGroupRecords = 4096;

    private readonly WalOptions _options;
    private readonly IWalListener _listener;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _committer;
    private readonly Lock _segmentsLock = new();
    private readonly List<WalSegmentInfo> _segments = [];
    private FileStream _file;
    private long _fileLength;
    private long _nextSequence;
    private volatile Exception? _failure;
    private long _commitGroups;

    private WriteAheadLog(WalOptions options, IWalListener listener, WalReplayReport report)
    {
        _options = options;
        _listener = listener;
        ReplayReport = report;
        _nextSequence = Math.Max(report.LastSequence, options.SequenceFloor) + 1;
        _file = StartSegment(_nextSequence);
        _committer = Task.Factory.StartNew(CommitLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public WalReplayReport ReplayReport { get; }

    /// <summary>Groups committed so far: each is one write and one fsync, however many records it held.</summary>
    public long CommitGroups => Interlocked.Read(ref _commitGroups);

    /// <summary>Sequence number of the last record written.</summary>
    public long LastSequence => Interlocked.Read(ref _nextSequence) - 1;

    /// <summary>Segment files, oldest first, with the highest sequence each holds so far.</summary>
    public IReadOnlyList<WalSegmentInfo> Segments
    {
        get
        {
            lock (_segmentsLock)
            {
                return [.. _segments];
            }
        }
    }

    /// <summary>Replays the log in <see cref="WalOptions.Directory"/> into <paramref name="listener"/> and opens it for appends.</summary>
    public static WriteAheadLog Open(WalOptions options, IWalListener listener)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(listener);
        Directory.CreateDirectory(options.Directory);
        var (report, segments) = WalReplayer.Replay(options, listener);
        var wal = new WriteAheadLog(options, listener, report);
        lock (wal._segmentsLock)
        {
            wal._segments.InsertRange(0, segments);
        }
        return wal;
    }

    /// <summary>
    /// Appends one write. Completes with its sequence number once durable (<paramref name="sync"/> true) or once
    /// written to the OS (false). Throws <see cref="WalUnavailableException"/> if the log cannot take writes.
    /// </summary>
    public async ValueTask<long> AppendAsync(string database, IReadOnlyList<WalTableWrite> tables, bool sync = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(tables);
        if (_failure is { } failure)
        {
            throw new WalUnavailableException("the WAL stopped after an I/O error; restart the server", failure);
        }
        // Encoding happens here, on the caller's thread, so the single committer only writes and syncs.
        var payload = WalRecordCodec.Encode(database, tables);
        if (payload.Length > _options.MaxRecordBytes)
        {
            throw new ArgumentException($"write of {payload.Length} bytes exceeds the WAL record limit of {_options.MaxRecordBytes}");
        }
        var pending = new Pending(database, tables, payload, sync);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new WalUnavailableException("the WAL is shut down");
        }
        // The write is in the log's hands now; a caller that goes away does not take it back.
        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes closed segments whose records all have sequence ≤ <paramref name="sequence"/> (they are persisted).</summary>
    public int RemoveSegmentsThrough(long sequence)
    {
        List<WalSegmentInfo> doomed;
        lock (_segmentsLock)
        {
            // The newest segment is the one being written: never removed.
            doomed = [.. _segments.Take(_segments.Count - 1).Where(s => s.LastSequence <= sequence)];
            _segments.RemoveAll(doomed.Contains);
        }
        foreach (var segment in doomed)
        {
            File.Delete(segment.Path);
        }
        if (doomed.Count > 0)
        {
            DurableFile.SyncDirectory(_options.Directory);
        }
        return doomed.Count;
    }

    private async Task CommitLoop()
    {
        var reader = _queue.Reader;
        var group = new List<Pending>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (_options.FlushInterval > TimeSpan.Zero)
            {
                await Task.Delay(_options.FlushInterval).ConfigureAwait(false);
            }
            group.Clear();
            while (group.Count < MaxGroupRecords && reader.TryRead(out var pending))
            {
                group.Add(pending);
            }
            if (_failure is { } failure)
            {
                foreach (var p in group)
                {
                    p.Completion.TrySetException(new WalUnavailableException("the WAL stopped after an I/O error; restart the server", failure));
                }
                continue;
            }
            try
            {
                CommitGroup(group);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WalMetrics.Failures.Add(1);
                _failure = e;
                foreach (var p in group)
                {
                    p.Completion.TrySetException(new WalUnavailableException($"the WAL could not write: {e.Message}", e));
                }
            }
        }
    }

    private void CommitGroup(List<Pending> group)
    {
        var frames = ArrayPool<byte>.Shared.Rent(group.Count * WalSegmentFormat.FrameLength);
        try
        {
            var buffers = new ReadOnlyMemory<byte>[group.Count * 2];
            var firstSequence = _nextSequence;
            long bytes = 0;
            for (var i = 0; i < group.Count; i++)
            {
                var frame = frames.AsMemory(i * WalSegmentFormat.FrameLength, WalSegmentFormat.FrameLength);
                WalSegmentFormat.WriteFrame(frame.Span, firstSequence + i, group[i].Payload);
                buffers[i * 2] = frame;
                buffers[(i * 2) + 1] = group[i].Payload;
                bytes += WalSegmentFormat.FrameLength + group[i].Payload.Length;
            }
            RandomAccess.Write(_file.SafeFileHandle, buffers, _fileLength);
            _fileLength += bytes;
            var lastSequence = firstSequence + group.Count - 1;
            Interlocked.Exchange(ref _nextSequence, lastSequence + 1);
            lock (_segmentsLock)
            {
                _segments[^1] = _segments[^1] with { LastSequence = lastSequence };
            }

            // Listeners see records in sequence order, before the fsync; writers that did not ask for durability
            // are answered now, the rest after the fsync.
            for (var i = 0; i < group.Count; i++)
            {
                var p = group[i];
                try
                {
                    _listener.OnRecord(new WalRecord(firstSequence + i, p.Database, p.Tables));
                }
                catch (Exception e)
                {
                    p.Completion.TrySetException(e);
                    continue;
                }
                if (!p.Sync)
                {
                    p.Completion.TrySetResult(firstSequence + i);
                }
            }
            var fsyncStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            _file.Flush(flushToDisk: true);
            WalMetrics.FsyncDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(fsyncStarted).TotalSeconds);
            WalMetrics.GroupRecords.Record(group.Count);
            WalMetrics.GroupBytes.Record(bytes);
            Interlocked.Increment(ref _commitGroups);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Completion.TrySetResult(firstSequence + i);
            }
            if (_fileLength >= _options.SegmentBytes)
            {
                _file.Dispose();
                _file = StartSegment(lastSequence + 1);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frames);
        }
    }

    private FileStream StartSegment(long firstSequence)
    {
        var path = Path.Combine(_options.Directory, WalSegmentFormat.FileName(firstSequence));
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        var header = WalSegmentFormat.Header();
        RandomAccess.Write(file.SafeFileHandle, header, 0);
        file.Flush(flushToDisk: true);
        DurableFile.SyncDirectory(_options.Directory);
        _fileLength = header.Length;
        lock (_segmentsLock)
        {
            _segments.Add(new WalSegmentInfo(path, firstSequence, firstSequence - 1));
        }
        return file;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _committer.ConfigureAwait(false);
        _file.Dispose();
    }

    private sealed class Pending(string database, IReadOnlyList<WalTableWrite> tables, byte[] payload, bool sync)
    {
        public string Database { get; } = database;

        public IReadOnlyList<WalTableWrite> Tables { get; } = tables;

        public byte[] Payload { get; } = payload;

        public bool Sync { get; } = sync;

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A segment file and the sequence range it holds (LastSequence &lt; FirstSequence while it is empty).</summary>
public sealed record WalSegmentInfo(string Path, long FirstSequence, long LastSequence);
