using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.ObjectStore;
using Tsdb.Parquet.Writing;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// The one place data files are written, for persist, compaction and retention alike: a sorted, deduplicated batch
/// becomes a Parquet file (sort key and time range in its metadata) under a fresh name, and a catalog entry that
/// the caller publishes.
/// </summary>
public sealed class ParquetFileWriter(IObjectStore store, StorageOptions options, TimeProvider time)
{
    /// <summary>
    /// Writes one file under a fresh name (sequence plus a random part, so a retried persist never overwrites a file
    /// a catalog may list). Its catalog id is given when it is published.
    /// </summary>
    public async Task<ParquetFileEntry> WriteAsync(string database, string table, int day, RecordBatch merged, long maxSequence, int level, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var path = ObjectPaths.File(options.NodeId, database, table, day, maxSequence, Random.Shared.NextInt64(1_000_000_000, 10_000_000_000));
        var columns = merged.Schema;
        var times = (TimestampArray)merged.Column(TableDefinition.TimeColumn)!;
        long min = long.MaxValue, max = long.MinValue;
        foreach (var t in times.Values)
        {
            min = Math.Min(min, t);
            max = Math.Max(max, t);
        }
        var sortKey = new List<(int, bool, bool)>();
        var tagRanges = new Dictionary<string, TagRange>();
        for (var c = 0; c < columns.FieldCount; c++)
        {
            if (ColumnKindNames.FromIoxType(columns[c].GetMetadata(ColumnKindNames.IoxMetadataKey)) == ColumnKind.Tag)
            {
                sortKey.Add((c, false, true));
                tagRanges[columns[c].Name] = TagRangeOf(merged.Column(c));
            }
        }
        sortKey.Add((columns.GetFieldIndex(TableDefinition.TimeColumn), false, true));
        var parquetOptions = options.Parquet with
        {
            SortingColumns = sortKey,
            KeyValueMetadata =
            [
                new("tsdb:sort_key", string.Join(',', sortKey.Select(k => columns[k.Item1].Name))),
                new("tsdb:min_time", min.ToString(CultureInfo.InvariantCulture)),
                new("tsdb:max_time", max.ToString(CultureInfo.InvariantCulture)),
                new("tsdb:max_sequence", maxSequence.ToString(CultureInfo.InvariantCulture)),
                .. options.Parquet.KeyValueMetadata,
            ],
        };
        var bytes = ParquetWriter.ToBytes(columns, [merged], parquetOptions);
        await store.PutAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        return new ParquetFileEntry(0, database, table, day, path, min, max, merged.Length, bytes.Length, maxSequence, level, time.GetUtcNow()) { TagRanges = tagRanges, Node = options.NodeId };
    }

    /// <summary>
    /// Writes one file from sorted, deduplicated batches as they come (compaction's merge output): pages and row groups
    /// are written as they fill and uploaded in parts, so memory holds about a row group and an upload part, not the
    /// file. Null when there was no row (nothing is left behind).
    /// </summary>
    public async Task<ParquetFileEntry?> WriteStreamAsync(string database, string table, int day, Tsdb.Arrow.Types.Schema schema, IAsyncEnumerable<RecordBatch> sorted, long maxSequence, int level, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(sorted);
        var path = ObjectPaths.File(options.NodeId, database, table, day, maxSequence, Random.Shared.NextInt64(1_000_000_000, 10_000_000_000));
        var sortKey = new List<(int, bool, bool)>();
        var tags = new List<int>();
        for (var c = 0; c < schema.FieldCount; c++)
        {
            if (ColumnKindNames.FromIoxType(schema[c].GetMetadata(ColumnKindNames.IoxMetadataKey)) == ColumnKind.Tag)
            {
                sortKey.Add((c, false, true));
                tags.Add(c);
            }
        }
        var timeIndex = schema.GetFieldIndex(TableDefinition.TimeColumn);
        sortKey.Add((timeIndex, false, true));
        var parquetOptions = options.Parquet with
        {
            SortingColumns = sortKey,
            KeyValueMetadata = [new("tsdb:sort_key", string.Join(',', sortKey.Select(k => schema[k.Item1].Name))), .. options.Parquet.KeyValueMetadata],
        };
        long min = long.MaxValue, max = long.MinValue, rows = 0;
        var ranges = tags.ToDictionary(t => t, _ => (Min: (string?)null, Max: (string?)null));
        var stream = await ObjectWriteStream.OpenAsync(store, path, ct: cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var writer = new ParquetWriter(stream, schema, parquetOptions, leaveOpen: true);
            await foreach (var batch in sorted.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (batch.Length == 0)
                {
                    continue;
                }
                foreach (var t in ((TimestampArray)batch.Column(timeIndex)).Values)
                {
                    min = Math.Min(min, t);
                    max = Math.Max(max, t);
                }
                foreach (var t in tags)
                {
                    var range = TagRangeOf(batch.Column(t));
                    var (lo, hi) = ranges[t];
                    ranges[t] = (Before(range.Min, lo) ? range.Min : lo, Before(hi, range.Max, noneFirst: false) ? range.Max : hi);
                }
                rows += batch.Length;
                // The writer is synchronous and may wait for an upload part to go out: off the caller's thread.
                await Task.Run(() => writer.WriteBatch(batch), cancellationToken).ConfigureAwait(false);
            }
            if (rows == 0)
            {
                await stream.AbortAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
            writer.AddKeyValueMetadata("tsdb:min_time", min.ToString(CultureInfo.InvariantCulture));
            writer.AddKeyValueMetadata("tsdb:max_time", max.ToString(CultureInfo.InvariantCulture));
            writer.AddKeyValueMetadata("tsdb:max_sequence", maxSequence.ToString(CultureInfo.InvariantCulture));
            await Task.Run(writer.Finish, cancellationToken).ConfigureAwait(false);
            await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
            var tagRanges = ranges.ToDictionary(r => schema[r.Key].Name, r => new TagRange(r.Value.Min, r.Value.Max));
            return new ParquetFileEntry(0, database, table, day, path, min, max, rows, writer.Position, maxSequence, level, time.GetUtcNow()) { TagRanges = tagRanges, Node = options.NodeId };
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

    private static TagRange TagRangeOf(ArrowArray column)
    {
        string? min = null, max = null;
        for (var i = 0; i < column.Length; i++)
        {
            if (column.GetObject(i) is string s)
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
        }
        return new TagRange(min, max);
    }
}
