using System.Globalization;
using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// ORDER BY over more rows than the query may hold. Batches are buffered while the reservation grows; when the pool
/// refuses, the buffered rows are sorted and written to local disk as one run (an Arrow IPC stream) and the
/// reservation is given back. At the end the runs and the still-buffered tail are merged k ways, reading each run a
/// batch at a time. Without a spill it is one in-memory sort. With a <c>fetch</c> (ORDER BY … LIMIT) only the best
/// rows seen so far are kept, so it never spills.
/// <para>
/// The answer is exactly <see cref="Sorting.SortIndices"/> over the concatenation of every added batch, equal keys
/// included: each run is a stable sort of consecutive input, runs are numbered in input order and the merge breaks
/// ties by run number, so equal rows come out in the order they went in. (A row pointing at a null dictionary entry
/// is null, as Sorting sees it within one batch.) Run batches and merged output batches carry one dictionary per
/// column unified from the dictionaries of the rows' source batches.
/// </para>
/// <para>
/// Run files are named <c>tsdb-sort-{guid}-{n}.arrows</c> under the spill directory and are deleted when the merge
/// finishes, when the output is abandoned (cancellation, exceptions) and on dispose.
/// </para>
/// </summary>
public sealed class ExternalSorter : IAsyncDisposable
{
    // Top-K candidates are compacted once they hold twice the rows asked for, or this many separate batches (each
    // pins the whole dictionary of the batch it came from) with some rows to drop.
    private const int MaxTopKPieces = 64;

    private readonly Schema _schema;
    private readonly SortKey[] _keys;
    private readonly MemoryReservation _reservation;
    private readonly SpillDirectory _spillDirectory;
    private readonly int? _fetch;
    private readonly int _batchSize;
    // Named at the first run: the query's sorts share its spill directory.
    private string? _runPrefix;
    private readonly List<RecordBatch> _buffered = [];
    // The runs still to merge, in input order; and every file ever created, for cleanup.
    private readonly List<string> _runFiles = [];
    private readonly List<string> _createdFiles = [];
    private readonly List<Run> _openRuns = [];
    private long _bufferedBytes;
    private long _bufferedRows;
    private bool _sorting;
    private bool _disposed;

    /// <param name="schema">The schema of every added batch, sort key columns included.</param>
    /// <param name="keys">Sort keys, most significant first.</param>
    /// <param name="reservation">The sort's share of the query's memory; grown while buffering, given back on spills and at the end.</param>
    /// <param name="spillDirectory">Where runs are written (created when the first run is).</param>
    /// <param name="fetch">Keep only the first this many rows (top-K in bounded memory, never spilled).</param>
    /// <param name="batchSize">Most rows per output batch (and per batch of a run file).</param>
    public ExternalSorter(Schema schema, IReadOnlyList<SortKey> keys, MemoryReservation reservation, SpillDirectory spillDirectory, long? fetch, int batchSize = 8192)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentNullException.ThrowIfNull(spillDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (fetch is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fetch), fetch, "fetch cannot be negative");
        }
        if (keys.Count == 0)
        {
            throw new ArgumentException("at least one sort key is needed", nameof(keys));
        }
        foreach (var key in keys)
        {
            if ((uint)key.Column >= (uint)schema.FieldCount)
            {
                throw new ArgumentOutOfRangeException(nameof(keys), key.Column, $"sort key column outside a schema of {schema.FieldCount} fields");
            }
        }
        for (var c = 0; c < schema.FieldCount; c++)
        {
            // Gathered rows get their dictionary columns rebuilt over one unified utf8 dictionary with int32
            // indices; any other dictionary type would come out as a type the schema does not have.
            var type = schema[c].Type;
            if (type.Id == ArrowTypeId.Dictionary && (type.IndexType!.Id != ArrowTypeId.Int32 || type.ValueType!.Id != ArrowTypeId.Utf8))
            {
                throw new NotSupportedException($"column '{schema[c].Name}' is {type}; the sorter handles dictionaries of int32 indices to utf8 only");
            }
        }
        _schema = schema;
        _keys = [.. keys];
        _reservation = reservation;
        _spillDirectory = spillDirectory;
        _fetch = fetch is { } f ? (int)Math.Min(f, int.MaxValue) : null;
        _batchSize = batchSize;
    }

    /// <summary>
    /// Most runs merged at once; more are first merged into longer runs this many at a time (consecutive runs, so
    /// ties still come out in input order). Bounds open files and the batches held by the merge.
    /// </summary>
    internal int MaxMergeFanIn { get; set; } = 64;

    /// <summary>Runs written to disk from memory so far (not counting the longer runs of a multi-pass merge).</summary>
    public int SpillCount { get; private set; }

    /// <summary>Bytes of the runs spilled from memory so far.</summary>
    public long SpilledBytes { get; private set; }

    /// <summary>Rows spilled from memory so far.</summary>
    public long SpilledRows { get; private set; }

    /// <summary>
    /// Takes the rows of <paramref name="batch"/> (which has the sorter's schema). The batch is kept, not copied,
    /// until it is spilled or sorted, so the caller must not dispose it before then.
    /// </summary>
    public async ValueTask AddAsync(RecordBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_sorting)
        {
            throw new InvalidOperationException("rows cannot be added once SortedAsync was called");
        }
        CheckSchema(batch);
        ct.ThrowIfCancellationRequested();
        if (batch.Length == 0)
        {
            return;
        }
        if (_fetch is { } k)
        {
            AddTopK(batch, k);
            return;
        }
        var size = QueryMemoryPool.SizeOf(batch);
        if (!_reservation.TryGrow(size))
        {
            if (_buffered.Count > 0)
            {
                await SpillAsync(ct).ConfigureAwait(false);
            }
            // Nothing of ours is left to spill: if the pool still refuses, the query fails naming the sort.
            _reservation.Grow(size);
        }
        _buffered.Add(batch);
        _bufferedBytes += size;
        _bufferedRows += batch.Length;
    }

    /// <summary>
    /// Every added row in order, in batches of at most the batch size (only the first <c>fetch</c> rows when one
    /// was given). Call once, after the last <see cref="AddAsync"/>. Abandoning the enumeration deletes the runs.
    /// </summary>
    public IAsyncEnumerable<RecordBatch> SortedAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_sorting)
        {
            throw new InvalidOperationException("SortedAsync can be called only once");
        }
        _sorting = true;
        return OutputAsync(ct);
    }

    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }
        _disposed = true;
        CloseRunsAndDeleteFiles();
        ReleaseBuffered();
        return ValueTask.CompletedTask;
    }

    private void CheckSchema(RecordBatch batch)
    {
        if (batch.ColumnCount != _schema.FieldCount)
        {
            throw new ArgumentException($"the batch has {batch.ColumnCount} columns, the sorter's schema {_schema.FieldCount}", nameof(batch));
        }
        for (var c = 0; c < _schema.FieldCount; c++)
        {
            if (batch.Column(c).Type != _schema[c].Type)
            {
                throw new ArgumentException($"column '{_schema[c].Name}' is {batch.Column(c).Type}, the sorter's schema says {_schema[c].Type}", nameof(batch));
            }
        }
    }

    private void AddTopK(RecordBatch batch, int k)
    {
        if (k == 0)
        {
            return;
        }
        var piece = batch;
        if (batch.Length > k)
        {
            // TopK is stable, so equal rows keep their input order among the survivors: later ties, which break by
            // position in the candidates, still break by arrival.
            var best = Sorting.TopK(SingleBatchKeys(batch), k);
            piece = Selection.Take(batch, best);
        }
        // Bounded by about 2k rows, so there is nothing to spill: over the budget, the query fails naming the sort.
        var size = QueryMemoryPool.SizeOf(piece);
        _reservation.Grow(size);
        _buffered.Add(piece);
        _bufferedBytes += size;
        _bufferedRows += piece.Length;
        if (_buffered.Count > 1 && (_bufferedRows >= 2L * k || (_buffered.Count >= MaxTopKPieces && _bufferedRows > k)))
        {
            var best = Sorting.TopK(ConcatenatedKeys(_buffered), k);
            var compacted = GatherPositions(new RowGather(_schema), _buffered, best, 0, best.Length);
            ReleaseBuffered();
            size = QueryMemoryPool.SizeOf(compacted);
            _reservation.Grow(size);
            _buffered.Add(compacted);
            _bufferedBytes = size;
            _bufferedRows = compacted.Length;
        }
    }

    /// <summary>Sorts the buffered rows and writes them as the next run; then gives their memory back.</summary>
    private async ValueTask SpillAsync(CancellationToken ct)
    {
        var order = Sorting.SortIndices(ConcatenatedKeys(_buffered));
        var (path, rows, bytes) = await WriteRunAsync(ToAsync(SortedChunks(_buffered, order)), ct).ConfigureAwait(false);
        _runFiles.Add(path);
        SpillCount++;
        SpilledRows += rows;
        SpilledBytes += bytes;
        ReleaseBuffered();
    }

    /// <summary>Writes sorted batches as a new run file (an Arrow IPC stream).</summary>
    private async ValueTask<(string Path, long Rows, long Bytes)> WriteRunAsync(IAsyncEnumerable<RecordBatch> batches, CancellationToken ct)
    {
        _runPrefix ??= "tsdb-sort-" + Guid.NewGuid().ToString("N");
        var path = Path.Combine(_spillDirectory.Create(), string.Create(CultureInfo.InvariantCulture, $"{_runPrefix}-{_createdFiles.Count:D4}.arrows"));
        // Recorded before the file exists, so a failure half-way through writing still deletes it.
        _createdFiles.Add(path);
        long rows = 0;
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            var writer = new ArrowStreamWriter(stream, _schema, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                await foreach (var batch in batches.WithCancellation(ct).ConfigureAwait(false))
                {
                    ct.ThrowIfCancellationRequested();
                    await writer.WriteBatchAsync(batch, ct).ConfigureAwait(false);
                    rows += batch.Length;
                }
                await writer.FinishAsync(ct).ConfigureAwait(false);
            }
            return (path, rows, stream.Length);
        }
    }

    /// <summary>While there are more runs than the fan-in, merges consecutive groups of them into longer runs.</summary>
    private async ValueTask ReduceRunsAsync(CancellationToken ct)
    {
        var fanIn = Math.Max(2, MaxMergeFanIn);
        while (_runFiles.Count > fanIn)
        {
            var merged = new List<string>();
            for (var start = 0; start < _runFiles.Count; start += fanIn)
            {
                var count = Math.Min(fanIn, _runFiles.Count - start);
                if (count == 1)
                {
                    merged.Add(_runFiles[start]);
                    continue;
                }
                var runs = new List<Run>(count);
                for (var r = 0; r < count; r++)
                {
                    var run = Run.Open(_runFiles[start + r], r);
                    _openRuns.Add(run);
                    runs.Add(run);
                }
                var (path, _, _) = await WriteRunAsync(MergeAsync(runs, ct), ct).ConfigureAwait(false);
                merged.Add(path);
                foreach (var run in runs)
                {
                    run.Dispose();
                    _openRuns.Remove(run);
                }
                for (var r = 0; r < count; r++)
                {
                    File.Delete(_runFiles[start + r]);
                }
            }
            _runFiles.Clear();
            _runFiles.AddRange(merged);
        }
    }

    private static async IAsyncEnumerable<RecordBatch> ToAsync(IEnumerable<RecordBatch> batches)
    {
        foreach (var batch in batches)
        {
            yield return batch;
        }
    }

    private async IAsyncEnumerable<RecordBatch> OutputAsync([EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            await ReduceRunsAsync(ct).ConfigureAwait(false);
            // Runs in input order: the spilled ones, then the buffered tail.
            foreach (var path in _runFiles)
            {
                ct.ThrowIfCancellationRequested();
                _openRuns.Add(Run.Open(path, _openRuns.Count));
            }
            if (_buffered.Count > 0)
            {
                var order = _fetch is { } k
                    ? Sorting.TopK(ConcatenatedKeys(_buffered), k)
                    : Sorting.SortIndices(ConcatenatedKeys(_buffered));
                _openRuns.Add(Run.InMemory(SortedChunks(_buffered, order), _openRuns.Count));
            }
            if (_openRuns.Count == 1)
            {
                // Nothing to merge: the one run is the answer.
                var run = _openRuns[0];
                while (await run.NextBatchAsync(keys: null, ct).ConfigureAwait(false))
                {
                    yield return run.Batch!;
                }
            }
            else if (_openRuns.Count > 1)
            {
                await foreach (var batch in MergeAsync(_openRuns, ct).ConfigureAwait(false))
                {
                    yield return batch;
                }
            }
        }
        finally
        {
            CloseRunsAndDeleteFiles();
            ReleaseBuffered();
        }
    }

    /// <summary>
    /// k-way merge of the open runs with a binary heap of runs ordered by their current row (ties: lower run
    /// first). Each run holds one batch; an output batch also pins the batches its rows came from until built.
    /// </summary>
    private async IAsyncEnumerable<RecordBatch> MergeAsync(List<Run> runs, [EnumeratorCancellation] CancellationToken ct)
    {
        var heap = new List<Run>(runs.Count);
        foreach (var run in runs)
        {
            if (await run.NextBatchAsync(_keys, ct).ConfigureAwait(false))
            {
                heap.Add(run);
            }
        }
        for (var i = (heap.Count / 2) - 1; i >= 0; i--)
        {
            SiftDown(heap, i);
        }
        var gather = new RowGather(_schema);
        var slots = new List<RecordBatch>();
        var source = new int[_batchSize];
        var row = new int[_batchSize];
        var n = 0;
        while (heap.Count > 0)
        {
            var top = heap[0];
            if (top.Slot < 0)
            {
                top.Slot = slots.Count;
                slots.Add(top.Batch!);
            }
            source[n] = top.Slot;
            row[n] = top.Row;
            n++;
            top.Row++;
            if (top.Row == top.Batch!.Length && !await top.NextBatchAsync(_keys, ct).ConfigureAwait(false))
            {
                heap[0] = heap[^1];
                heap.RemoveAt(heap.Count - 1);
            }
            if (heap.Count > 0)
            {
                SiftDown(heap, 0);
            }
            if (n == _batchSize)
            {
                ct.ThrowIfCancellationRequested();
                var batch = gather.Gather(slots, source.AsSpan(0, n), row.AsSpan(0, n));
                n = 0;
                slots.Clear();
                foreach (var run in runs)
                {
                    run.Slot = -1;
                }
                yield return batch;
            }
        }
        if (n > 0)
        {
            yield return gather.Gather(slots, source.AsSpan(0, n), row.AsSpan(0, n));
        }
    }

    private void SiftDown(List<Run> heap, int at)
    {
        while (true)
        {
            var smallest = at;
            var left = (2 * at) + 1;
            var right = left + 1;
            if (left < heap.Count && Compare(heap[left], heap[smallest]) < 0)
            {
                smallest = left;
            }
            if (right < heap.Count && Compare(heap[right], heap[smallest]) < 0)
            {
                smallest = right;
            }
            if (smallest == at)
            {
                return;
            }
            (heap[at], heap[smallest]) = (heap[smallest], heap[at]);
            at = smallest;
        }
    }

    /// <summary>The current rows of two runs; equal keys go to the earlier run, which holds earlier input.</summary>
    private int Compare(Run a, Run b)
    {
        for (var k = 0; k < _keys.Length; k++)
        {
            var c = MergeKeyColumn.Compare(a.Keys![k], a.Row, b.Keys![k], b.Row, _keys[k].Descending, _keys[k].NullsFirst);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Index.CompareTo(b.Index);
    }

    /// <summary>The rows of <paramref name="batches"/> at <paramref name="order"/> (positions in their concatenation), a batch size at a time.</summary>
    private IEnumerable<RecordBatch> SortedChunks(List<RecordBatch> batches, int[] order)
    {
        var gather = new RowGather(_schema);
        for (var at = 0; at < order.Length; at += _batchSize)
        {
            yield return GatherPositions(gather, batches, order, at, Math.Min(_batchSize, order.Length - at));
        }
    }

    /// <summary>One batch of the rows at <c>positions[from..from+count]</c>, positions counting through <paramref name="batches"/> in turn.</summary>
    private static RecordBatch GatherPositions(RowGather gather, List<RecordBatch> batches, int[] positions, int from, int count)
    {
        var starts = new int[batches.Count];
        for (var b = 1; b < starts.Length; b++)
        {
            starts[b] = starts[b - 1] + batches[b - 1].Length;
        }
        var source = new int[count];
        var row = new int[count];
        for (var i = 0; i < count; i++)
        {
            var position = positions[from + i];
            var b = Array.BinarySearch(starts, position);
            if (b < 0)
            {
                b = ~b - 1;
            }
            else
            {
                // Skip over empty batches that share the start.
                while (b + 1 < starts.Length && starts[b + 1] == position)
                {
                    b++;
                }
            }
            source[i] = b;
            row[i] = position - starts[b];
        }
        return gather.Gather(batches, source, row);
    }

    private (ArrowArray Column, bool Descending, bool NullsFirst)[] SingleBatchKeys(RecordBatch batch)
    {
        var keys = new (ArrowArray Column, bool Descending, bool NullsFirst)[_keys.Length];
        for (var k = 0; k < keys.Length; k++)
        {
            keys[k] = (batch.Column(_keys[k].Column), _keys[k].Descending, _keys[k].NullsFirst);
        }
        return keys;
    }

    /// <summary>The key columns of all <paramref name="batches"/>, each concatenated into one array (the other
    /// columns are never concatenated: rows are gathered from the batches as they are written out).</summary>
    private (ArrowArray Column, bool Descending, bool NullsFirst)[] ConcatenatedKeys(List<RecordBatch> batches)
    {
        if (batches.Count == 1)
        {
            return SingleBatchKeys(batches[0]);
        }
        var keys = new (ArrowArray Column, bool Descending, bool NullsFirst)[_keys.Length];
        var parts = new ArrayData[batches.Count];
        for (var k = 0; k < keys.Length; k++)
        {
            for (var b = 0; b < parts.Length; b++)
            {
                parts[b] = batches[b].Column(_keys[k].Column).Data;
            }
            var type = _schema[_keys[k].Column].Type;
            var concatenated = type.Id == ArrowTypeId.Dictionary ? DictionaryUnifier.Concatenate(type, parts) : ArrayConcatenation.Concatenate(parts);
            keys[k] = (ArrowArray.Create(concatenated), _keys[k].Descending, _keys[k].NullsFirst);
        }
        return keys;
    }

    private void ReleaseBuffered()
    {
        _buffered.Clear();
        _reservation.Shrink(_bufferedBytes);
        _bufferedBytes = 0;
        _bufferedRows = 0;
    }

    private void CloseRunsAndDeleteFiles()
    {
        foreach (var run in _openRuns)
        {
            run.Dispose();
        }
        _openRuns.Clear();
        foreach (var path in _createdFiles)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Cleanup must not hide the exception that got us here; a file that cannot be deleted now
                // cannot be deleted by retrying either.
            }
        }
        _runFiles.Clear();
        _createdFiles.Clear();
    }

    /// <summary>One sorted run being read: a spill file, or the sorted in-memory tail.</summary>
    private sealed class Run : IDisposable
    {
        private readonly FileStream? _stream;
        private readonly ArrowStreamReader? _reader;
        private readonly IEnumerator<RecordBatch>? _chunks;

        private Run(int index, FileStream? stream, ArrowStreamReader? reader, IEnumerator<RecordBatch>? chunks)
        {
            Index = index;
            _stream = stream;
            _reader = reader;
            _chunks = chunks;
        }

        /// <summary>Position in input order (ties in the merge go to the lower).</summary>
        public int Index { get; }

        public RecordBatch? Batch { get; private set; }

        /// <summary>The current batch's sort keys, prepared for comparing with other runs' rows.</summary>
        public MergeKeyColumn[]? Keys { get; private set; }

        public int Row { get; set; }

        /// <summary>Where <see cref="Batch"/> sits among the sources of the output batch being built; -1 if not yet there.</summary>
        public int Slot { get; set; } = -1;

        public static Run Open(string path, int index)
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return new Run(index, stream, new ArrowStreamReader(stream, leaveOpen: true), null);
        }

        public static Run InMemory(IEnumerable<RecordBatch> chunks, int index) => new(index, null, null, chunks.GetEnumerator());

        /// <summary>Moves to the next non-empty batch (false at the end); prepares <paramref name="keys"/> when given.</summary>
        public async ValueTask<bool> NextBatchAsync(SortKey[]? keys, CancellationToken ct)
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                RecordBatch? next;
                if (_reader is not null)
                {
                    next = await _reader.ReadNextBatchAsync(ct).ConfigureAwait(false);
                }
                else
                {
                    next = _chunks!.MoveNext() ? _chunks.Current : null;
                }
                Batch = next;
                Keys = null;
                Row = 0;
                Slot = -1;
                if (next is null)
                {
                    return false;
                }
                if (next.Length == 0)
                {
                    continue;
                }
                if (keys is not null)
                {
                    var prepared = new MergeKeyColumn[keys.Length];
                    for (var k = 0; k < keys.Length; k++)
                    {
                        prepared[k] = MergeKeyColumn.Create(next.Column(keys[k].Column));
                    }
                    Keys = prepared;
                }
                return true;
            }
        }

        public void Dispose()
        {
            _chunks?.Dispose();
            _reader?.Dispose();
            _stream?.Dispose();
        }
    }
}
