using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Compute;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.ObjectStore;
using Tsdb.Parquet.Writing;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Chunks;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// The one place data files are written, for persist, compaction and retention alike: a sorted, deduplicated batch
/// becomes a Parquet file (sort key and time range in its metadata) under a fresh name, and a catalog entry that
/// the caller publishes.
/// </summary>
public sealed class ParquetFileWriter(IObjectStore store, StorageOptions options, TimeProvider time)
{
    private IObjectStore Store => store;

    private StorageOptions Options => options;

    private TimeProvider Time => time;

    /// <summary>
    /// Writes one file from sorted, deduplicated batches as they come (a persist's slice, compaction's merge output):
    /// pages and row groups are written as they fill and uploaded in parts, so memory holds about a row group and an
    /// upload part, not the file. The name is fresh (sequence plus a random part, so a retried persist never
    /// overwrites a file a catalog may list); the catalog id is given when it is published. Null when there was no row
    /// (nothing is left behind).
    /// </summary>
    public async Task<ParquetFileEntry?> WriteStreamAsync(string database, string table, int day, Tsdb.Arrow.Types.Schema schema, IAsyncEnumerable<RecordBatch> sorted, long maxSequence, int level, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var file = await StreamedFile.OpenAsync(this, database, table, day, schema, maxSequence, level, cancellationToken).ConfigureAwait(false);
        await using (file.ConfigureAwait(false))
        {
            await foreach (var batch in sorted.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await file.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            return await file.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes sorted, deduplicated rows into one file per time range: range i holds the rows with
    /// <c>boundaries[i-1] &lt;= time &lt; boundaries[i]</c> (the first and last ranges are open), so the files never
    /// overlap in time and the rows of one timestamp always land in one file. The merge's output is sorted by tags
    /// before time, so a file cannot be cut when it is full: the rows are routed to the open file of their range
    /// instead, at most <paramref name="filesPerPass"/> files open at once (each holds a row group being assembled and
    /// an upload part; together they hold about <paramref name="rowsPerPass"/> rows); with more ranges than that,
    /// <paramref name="read"/> is run once per group of ranges, each run asked only for its time span (from, to:
    /// inclusive, null open). Returns the files written, in time order (empty ranges write none). On failure the files
    /// already written are deleted again.
    /// </summary>
    public async Task<List<ParquetFileEntry>> WriteSplitAsync(string database, string table, int day, Tsdb.Arrow.Types.Schema schema, IReadOnlyList<long> boundaries, Func<long?, long?, IAsyncEnumerable<RecordBatch>> read, long maxSequence, int level, int filesPerPass, int rowsPerPass, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(read);
        var cuts = boundaries.ToArray();
        var ranges = cuts.Length + 1;
        var perPass = Math.Max(1, filesPerPass);
        var timeIndex = schema.GetFieldIndex(TableDefinition.TimeColumn);
        var written = new List<ParquetFileEntry>();
        try
        {
            for (var first = 0; first < ranges; first += perPass)
            {
                var last = Math.Min(ranges, first + perPass) - 1;
                long? from = first == 0 ? null : cuts[first - 1];
                long? to = last == ranges - 1 ? null : cuts[last] - 1;
                var open = new StreamedFile?[last - first + 1];
                // The files open at once share the pass's rows, so a pass holds about what one file would.
                var rowGroup = Math.Max(CompactionMemory.MinRows, Math.Min(options.Parquet.RowGroupSize, rowsPerPass) / open.Length);
                try
                {
                    await foreach (var batch in read(from, to).WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        await RouteAsync(batch, cuts, first, open, timeIndex, rowGroup, database, table, day, schema, maxSequence, level, cancellationToken).ConfigureAwait(false);
                    }
                    foreach (var file in open)
                    {
                        if (file is not null && await file.CompleteAsync(cancellationToken).ConfigureAwait(false) is { } entry)
                        {
                            written.Add(entry);
                        }
                    }
                }
                finally
                {
                    foreach (var file in open)
                    {
                        if (file is not null)
                        {
                            await file.DisposeAsync().ConfigureAwait(false);
                        }
                    }
                }
            }
            return written;
        }
        catch
        {
            // Nothing names these files yet; an object left here is removed by the orphan sweep at the next start.
            foreach (var entry in written)
            {
                await DeleteQuietlyAsync(entry.Path).ConfigureAwait(false);
            }
            throw;
        }
    }

    private async Task DeleteQuietlyAsync(string path)
    {
        try
        {
            await store.DeleteAsync(path, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The failure that got us here is the one the caller sees; this object is an orphan for the start-up sweep.
        }
    }

    /// <summary>Sends each row of a batch to the file of its time range (rows of ranges outside this pass are dropped).</summary>
    private async Task RouteAsync(RecordBatch batch, long[] cuts, int first, StreamedFile?[] open, int timeIndex, int rowGroup, string database, string table, int day, Tsdb.Arrow.Types.Schema schema, long maxSequence, int level, CancellationToken cancellationToken)
    {
        if (batch.Length == 0)
        {
            return;
        }
        var times = (TimestampArray)batch.Column(timeIndex);
        var target = new int[batch.Length];
        var counts = new int[open.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            var found = Array.BinarySearch(cuts, times.GetValue(i));
            // Boundaries belong to the range they start: the number of cuts at or before the time.
            var range = (found >= 0 ? found + 1 : ~found) - first;
            target[i] = range;
            if (range >= 0 && range < open.Length)
            {
                counts[range]++;
            }
        }
        for (var r = 0; r < open.Length; r++)
        {
            if (counts[r] == 0)
            {
                continue;
            }
            RecordBatch part;
            if (counts[r] == batch.Length)
            {
                part = batch;
            }
            else
            {
                using var mask = new BooleanArrayBuilder();
                for (var i = 0; i < batch.Length; i++)
                {
                    mask.Append(target[i] == r);
                }
                part = Selection.Filter(batch, (BooleanArray)mask.Build());
            }
            open[r] ??= await StreamedFile.OpenAsync(this, database, table, day, schema, maxSequence, level, cancellationToken, rowGroup).ConfigureAwait(false);
            await open[r]!.WriteAsync(part, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One file being written from sorted batches: pages and row groups written as they fill, uploaded in parts.</summary>
    private sealed class StreamedFile : IAsyncDisposable
    {
        private readonly ParquetFileWriter _owner;
        private readonly string _database, _table, _path;
        private readonly int _day, _level, _timeIndex;
        private readonly long _maxSequence;
        private readonly Tsdb.Arrow.Types.Schema _schema;
        private readonly List<int> _tags;
        private readonly Dictionary<int, (string? Min, string? Max)> _ranges;
        private readonly Dictionary<int, TagTimesBuilder> _tagTimes;
        private readonly ObjectWriteStream _stream;
        private readonly ParquetWriter _writer;
        private long _min = long.MaxValue, _max = long.MinValue, _rows;

        private StreamedFile(ParquetFileWriter owner, string database, string table, int day, Tsdb.Arrow.Types.Schema schema, long maxSequence, int level, string path, ObjectWriteStream stream, int rowGroupRows)
        {
            (_owner, _database, _table, _day, _schema, _maxSequence, _level, _path, _stream) = (owner, database, table, day, schema, maxSequence, level, path, stream);
            var sortKey = new List<(int, bool, bool)>();
            _tags = [];
            for (var c = 0; c < schema.FieldCount; c++)
            {
                if (ColumnKindNames.FromIoxType(schema[c].GetMetadata(ColumnKindNames.IoxMetadataKey)) == ColumnKind.Tag)
                {
                    sortKey.Add((c, false, true));
                    _tags.Add(c);
                }
            }
            _timeIndex = schema.GetFieldIndex(TableDefinition.TimeColumn);
            sortKey.Add((_timeIndex, false, true));
            var parquetOptions = owner.Options.Parquet with
            {
                RowGroupSize = rowGroupRows,
                SortingColumns = sortKey,
                KeyValueMetadata = [new("tsdb:sort_key", string.Join(',', sortKey.Select(k => schema[k.Item1].Name))), .. owner.Options.Parquet.KeyValueMetadata],
            };
            _ranges = _tags.ToDictionary(t => t, _ => ((string?)null, (string?)null));
            _tagTimes = owner.Options.TagTimesMaxValues > 0 ? _tags.ToDictionary(t => t, _ => new TagTimesBuilder(owner.Options.TagTimesMaxValues)) : [];
            _writer = new ParquetWriter(stream, schema, parquetOptions, leaveOpen: true);
        }

        public static async Task<StreamedFile> OpenAsync(ParquetFileWriter owner, string database, string table, int day, Tsdb.Arrow.Types.Schema schema, long maxSequence, int level, CancellationToken cancellationToken, int? rowGroupRows = null)
        {
            ArgumentNullException.ThrowIfNull(schema);
            var path = ObjectPaths.File(owner.Options.NodeId, database, table, day, maxSequence, Random.Shared.NextInt64(1_000_000_000, 10_000_000_000));
            var stream = await ObjectWriteStream.OpenAsync(owner.Store, path, ct: cancellationToken).ConfigureAwait(false);
            return new StreamedFile(owner, database, table, day, schema, maxSequence, level, path, stream, rowGroupRows ?? owner.Options.Parquet.RowGroupSize);
        }

        public async Task WriteAsync(RecordBatch batch, CancellationToken cancellationToken)
        {
            if (batch.Length == 0)
            {
                return;
            }
            var times = ((TimestampArray)batch.Column(_timeIndex)).Values;
            foreach (var t in times)
            {
                _min = Math.Min(_min, t);
                _max = Math.Max(_max, t);
            }
            foreach (var t in _tags)
            {
                var range = TagRangeOf(batch.Column(t));
                var (lo, hi) = _ranges[t];
                _ranges[t] = (Before(range.Min, lo) ? range.Min : lo, Before(hi, range.Max, noneFirst: false) ? range.Max : hi);
                _tagTimes.GetValueOrDefault(t)?.Add(batch.Column(t), times);
            }
            _rows += batch.Length;
            // The writer is synchronous and may wait for an upload part to go out: off the caller's thread.
            await Task.Run(() => _writer.WriteBatch(batch), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Finishes and uploads the file; null (nothing uploaded) when it got no row.</summary>
        public async Task<ParquetFileEntry?> CompleteAsync(CancellationToken cancellationToken)
        {
            if (_rows == 0)
            {
                await _stream.AbortAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
            _writer.AddKeyValueMetadata("tsdb:min_time", _min.ToString(CultureInfo.InvariantCulture));
            _writer.AddKeyValueMetadata("tsdb:max_time", _max.ToString(CultureInfo.InvariantCulture));
            _writer.AddKeyValueMetadata("tsdb:max_sequence", _maxSequence.ToString(CultureInfo.InvariantCulture));
            foreach (var (tag, builder) in _tagTimes)
            {
                if (builder.Build() is { } tagTimes)
                {
                    _writer.AddKeyValueMetadata(TagTimesMetadata.KeyPrefix + _schema[tag].Name, TagTimesMetadata.Encode(tagTimes));
                }
            }
            await Task.Run(_writer.Finish, cancellationToken).ConfigureAwait(false);
            await _stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
            var tagRanges = _ranges.ToDictionary(r => _schema[r.Key].Name, r => new TagRange(r.Value.Min, r.Value.Max));
            return new ParquetFileEntry(0, _database, _table, _day, _path, _min, _max, _rows, _writer.Position, _maxSequence, _level, _owner.Time.GetUtcNow()) { TagRanges = tagRanges, Node = _owner.Options.NodeId };
        }

        public async ValueTask DisposeAsync()
        {
            _writer.Dispose();
            // Not completed (a failure on the way): disposing abandons the upload, nothing is published.
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether <paramref name="a"/> comes before <paramref name="b"/> in ordinal order, null meaning "no value yet":
    /// for a running minimum a value beats null (noneFirst: a null <paramref name="b"/> loses), for a running maximum
    /// null is beaten by any value (a null <paramref name="a"/> comes first).
    /// </summary>
    private static bool Before(string? a, string? b, bool noneFirst = true) =>
        noneFirst ? a is not null && (b is null || string.CompareOrdinal(a, b) < 0)
                  : b is not null && (a is null || string.CompareOrdinal(a, b) < 0);

    internal static TagRange TagRangeOf(ArrowArray column)
    {
        string? min = null, max = null;
        void Take(string s)
        {
            if (min is null || string.CompareOrdinal(s, min) < 0)
            {
                min = s;
            }
            if (max is null || string.CompareOrdinal(s, max) > 0)
            {
                max = s;
            }
        }
        if (column is DictionaryArray dictionary)
        {
            // Each entry the rows use, decoded once (not a string per row: persist and compaction write millions).
            var used = new bool[dictionary.Dictionary.Length];
            for (var i = 0; i < dictionary.Length; i++)
            {
                if (!dictionary.IsNull(i))
                {
                    used[dictionary.GetIndex(i)] = true;
                }
            }
            for (var e = 0; e < used.Length; e++)
            {
                if (used[e] && dictionary.Dictionary.GetObject(e) is string s)
                {
                    Take(s);
                }
            }
            return new TagRange(min, max);
        }
        for (var i = 0; i < column.Length; i++)
        {
            if (column.GetObject(i) is string s)
            {
                Take(s);
            }
        }
        return new TagRange(min, max);
    }
}
