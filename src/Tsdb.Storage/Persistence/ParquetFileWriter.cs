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
        var path = ObjectPaths.File(database, table, day, maxSequence, Random.Shared.NextInt64(1_000_000_000, 10_000_000_000));
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
        return new ParquetFileEntry(0, database, table, day, path, min, max, merged.Length, bytes.Length, maxSequence, level, time.GetUtcNow()) { TagRanges = tagRanges };
    }

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
