using Tsdb.Arrow.Arrays;
using Tsdb.Query.Chunks;

namespace Tsdb.Storage;

/// <summary>
/// Rows of one table and one day partition from one WAL record. Immutable, so a query holding a list of chunks
/// sees a consistent snapshot while writes go on.
/// </summary>
public sealed record BufferedChunk(string Database, string Table, long Sequence, int Day, RecordBatch Batch, long MinTime, long MaxTime, long Bytes, DateTimeOffset ArrivedAt)
{
    private IReadOnlyDictionary<string, ChunkTagRange>? _tagRanges;

    /// <summary>A copy (<c>with</c>) works its tag ranges out again: the copy may hold other rows.</summary>
    private BufferedChunk(BufferedChunk original)
    {
        (Database, Table, Sequence, Day, Batch, MinTime, MaxTime, Bytes, ArrivedAt) =
            (original.Database, original.Table, original.Sequence, original.Day, original.Batch, original.MinTime, original.MaxTime, original.Bytes, original.ArrivedAt);
    }

    /// <summary>Per tag column, the smallest and largest value the rows use; worked out on first use, then kept.</summary>
    public IReadOnlyDictionary<string, ChunkTagRange> TagRanges => _tagRanges ??= TagRangesOf(Batch);

    private System.Collections.Concurrent.ConcurrentDictionary<string, TagTimes?>? _tagTimes;

    /// <summary>
    /// Per value of a tag column, the oldest and newest time of the rows with it; worked out on first use, then kept.
    /// Null when the record lacks the column (or it is not a tag) or has more values than a file would record.
    /// </summary>
    public TagTimes? TagTimes(string column)
    {
        _tagTimes ??= new(StringComparer.Ordinal);
        return _tagTimes.GetOrAdd(column, static (c, batch) =>
        {
            var index = batch.Schema.GetFieldIndex(c);
            var time = batch.Schema.GetFieldIndex(Catalog.TableDefinition.TimeColumn);
            if (index < 0 || time < 0 || batch.Column(index) is not DictionaryArray tag || batch.Column(time) is not TimestampArray { NullCount: 0 } times)
            {
                return null;
            }
            var builder = new TagTimesBuilder(Chunks.TagTimesMetadata.DefaultMaxValues);
            builder.Add(tag, times.Values);
            return builder.Build();
        }, Batch);
    }

    /// <summary>Per dictionary (tag) column: the smallest and largest value its rows use.</summary>
    private static Dictionary<string, ChunkTagRange> TagRangesOf(RecordBatch batch)
    {
        var ranges = new Dictionary<string, ChunkTagRange>(StringComparer.Ordinal);
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            if (batch.Column(c) is not DictionaryArray array)
            {
                continue;
            }
            var used = new bool[array.Dictionary.Length];
            for (var i = 0; i < array.Length; i++)
            {
                if (!array.IsNull(i))
                {
                    used[array.GetIndex(i)] = true;
                }
            }
            string? min = null, max = null;
            for (var d = 0; d < used.Length; d++)
            {
                if (used[d] && array.Dictionary.GetObject(d) is string s)
                {
                    min = min is null || string.CompareOrdinal(s, min) < 0 ? s : min;
                    max = max is null || string.CompareOrdinal(s, max) > 0 ? s : max;
                }
            }
            ranges[batch.Schema[c].Name] = new ChunkTagRange(min, max);
        }
        return ranges;
    }
}
