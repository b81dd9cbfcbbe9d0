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
public sealed class WriteAheadLog : IWalHealth, IAsyncDisposable
{
    private const int MaxGroupRecords = 4096;

    private readonly WalOptions _options;
    private readonly IWalListener _listener;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _committer;
    private readonly Lock _segmentsLock = new();
    private readonly List<WalSegmentInfo> _segments = [];
    private readonly Lock _stateLock = new();
    private FileStream? _file;
    private long _fileLength;
    private long _nextSequence;
    private volatile Exception? _failure;
    private long _commitGroups;
    private WalState _state;
    private string? _stateMessage;
    private DateTimeOffset _stateSince;

    private WriteAheadLog(WalOptions options, IWalListener listener, WalReplayReport report)
    {
        _options = options;
        _listener = listener;
        ReplayReport = report;
        _nextSequence = Math.Max(report.LastSequence, options.SequenceFloor) + 1;
        _stateSince = options.Time.GetUtcNow();
        try
        {
            EnsureSegment();
        }
        catch (WalDiskFullException e)
        {
            // Started on a full disk: replayed data is readable, and writes are tried (and refused) until space is freed.
            SetState(WalState.DiskFull, e.Message);
        }
        _committer = Task.Factory.StartNew(CommitLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public WalReplayReport ReplayReport { get; }

    /// <summary>Whether the log takes writes now.</summary>
    public WalState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>The state, the error that caused it (null when Ok) and since when it holds.</summary>
    public (WalState State, string? Message, DateTimeOffset Since) Status
    {
        get
        {
            lock (_stateLock)
            {
                return (_state, _stateMessage, _stateSince);
            }
        }
    }

    /// <summary>
    /// Raised on the committer's thread once per change of <see cref="State"/> (for a log line; handlers must be
    /// quick and must not throw).
    /// </summary>
    public event Action<WalStateChange>? StateChanged;

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
            throw Stopped(failure);
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
        while (true)
        {
            if (State == WalState.DiskFull)
            {
                // Nobody may be writing while the disk is full (a load balancer took the node out on /-/ready), so
                // the committer itself checks now and then whether space came back.
                using var idle = new CancellationTokenSource(_options.DiskFullProbeInterval);
                try
                {
                    if (!await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (idle.IsCancellationRequested)
                {
                    ProbeSpace();
                    continue;
                }
            }
            else if (!await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                break;
            }
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
                    p.Completion.TrySetException(Stopped(failure));
                }
                continue;
            }
            try
            {
                CommitGroup(group);
                if (_file is null)
                {
                    // The segment was full and closed: the next one is started now, and on a full disk by the next group.
                    try
                    {
                        EnsureSegment();
                    }
                    catch (WalDiskFullException e)
                    {
                        SetState(WalState.DiskFull, e.Message);
                        continue;
                    }
                }
                SetState(WalState.Ok, null);
            }
            catch (WalDiskFullException e)
            {
                // Nothing of the group reached the log (the partial record was cut) or a listener: refuse it, stay open.
                WalMetrics.DiskFullRefusals.Add(group.Count);
                SetState(WalState.DiskFull, e.Message);
                foreach (var p in group)
                {
                    p.Completion.TrySetException(new WalUnavailableException($"the WAL's disk is full: {e.Message}; retry once space is freed", WalUnavailableReason.DiskFull, e.InnerException));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WalMetrics.Failures.Add(1);
                _failure = e;
                SetState(WalState.Stopped, e.Message);
                foreach (var p in group)
                {
                    p.Completion.TrySetException(new WalUnavailableException($"the WAL could not write: {e.Message}", e));
                }
            }
            catch (OutOfMemoryException e)
            {
                // The committer must outlive a moment without memory (a heap hard limit under load): the writers not
                // yet answered get the error, and the next group goes on where the file ends.
                foreach (var p in group)
                {
                    p.Completion.TrySetException(e);
                }
            }
        }
    }

    private static WalUnavailableException Stopped(Exception failure) =>
        new($"the WAL stopped after an I/O error ({failure.Message}); restart the server", failure);

    private void SetState(WalState state, string? message)
    {
        WalStateChange change;
        lock (_stateLock)
        {
            if (_state == state || _state == WalState.Stopped)
            {
                return;
            }
            change = new WalStateChange(_state, state, message ?? "", _options.Time.GetUtcNow());
            _state = state;
            _stateMessage = message;
            _stateSince = change.At;
        }
        StateChanged?.Invoke(change);
    }

    /// <summary>
    /// While the disk is full: writes zeros past the end of the segment and cuts them again. Success means a write
    /// of that size would fit now. An error other than a full disk is left for the next real write to meet.
    /// </summary>
    private void ProbeSpace()
    {
        try
        {
            EnsureSegment();
            var file = _file!;
            var zeros = new byte[_options.DiskFullProbeBytes];
            try
            {
                RandomAccess.Write(file.SafeFileHandle, zeros, _fileLength);
            }
            finally
            {
                RandomAccess.SetLength(file.SafeFileHandle, _fileLength);
            }
            SetState(WalState.Ok, null);
        }
        catch (WalDiskFullException)
        {
        }
        catch (IOException e) when (DiskErrors.IsOutOfSpace(e))
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cut failed: the segment's length is unknown, so the WAL cannot go on appending to it.
            WalMetrics.Failures.Add(1);
            _failure = e;
            SetState(WalState.Stopped, e.Message);
        }
    }

    private void CommitGroup(List<Pending> group)
    {
        EnsureSegment();
        var file = _file!;
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
            try
            {
                RandomAccess.Write(file.SafeFileHandle, buffers, _fileLength);
            }
            catch (IOException e) when (DiskErrors.IsOutOfSpace(e))
            {
                // Part of the group may be in the file. It must go: the next group reuses these sequence numbers, and
                // whole records of this one left past its end would come back at replay though never acknowledged.
                // If the cut fails the IOException stops the WAL.
                RandomAccess.SetLength(file.SafeFileHandle, _fileLength);
                throw new WalDiskFullException(e.Message, e);
            }
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
            // A failed fsync stops the WAL (the caller's catch): after one, the kernel may have dropped the dirty
            // pages, so what the file holds is no longer known.
            var fsyncStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            file.Flush(flushToDisk: true);
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
                // The caller starts the next segment: a full disk must not fail this group, acknowledged already.
                file.Dispose();
                _file = null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frames);
        }
    }

    /// <summary>Starts a segment when none is open; a full disk leaves no half-made segment behind.</summary>
    private void EnsureSegment()
    {
        if (_file is not null)
        {
            return;
        }
        var path = Path.Combine(_options.Directory, WalSegmentFormat.FileName(_nextSequence));
        try
        {
            _file = StartSegment(_nextSequence);
        }
        catch (IOException e) when (DiskErrors.IsOutOfSpace(e))
        {
            // Replay would drop a header-only or headerless segment anyway; removing it now keeps the name free.
            File.Delete(path);
            throw new WalDiskFullException(e.Message, e);
        }
    }

    private FileStream StartSegment(long firstSequence)
    {
        var path = Path.Combine(_options.Directory, WalSegmentFormat.FileName(firstSequence));
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        var header = WalSegmentFormat.Header();
        try
        {
            RandomAccess.Write(file.SafeFileHandle, header, 0);
            file.Flush(flushToDisk: true);
            DurableFile.SyncDirectory(_options.Directory);
        }
        catch
        {
            file.Dispose();
            throw;
        }
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
        _file?.Dispose();
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
