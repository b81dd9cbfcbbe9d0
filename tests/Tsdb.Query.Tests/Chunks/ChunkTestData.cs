using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Tsdb.Query.Chunks;

namespace Tsdb.Query.Tests.Chunks;

/// <summary>Rows of a table with two tags and two fields, random chunks of them, and a chunk over a list of batches.</summary>
internal static class ChunkTestData
{
    public static readonly TableColumns Table = new([("host", ColumnKind.Tag), ("time", ColumnKind.Time), ("f1", ColumnKind.Float), ("region", ColumnKind.Tag), ("f2", ColumnKind.Integer)]);

    public sealed record Row(string? Host, string? Region, long Time, double? F1, long? F2);

    public static RecordBatch Batch(IReadOnlyList<Row> rows)
    {
        using var h = new DictionaryArrayBuilder();
        using var t = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        using var f1 = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var r = new DictionaryArrayBuilder();
        using var f2 = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        foreach (var row in rows)
        {
            h.Append(row.Host);
            t.Append(row.Time);
            f1.Append(row.F1);
            r.Append(row.Region);
            f2.Append(row.F2);
        }
        return new RecordBatch(Table.Schema, [h.Build(), t.Build(), f1.Build(), r.Build(), f2.Build()], rows.Count);
    }

    /// <summary>Random rows: few hosts, regions and times, so points repeat; fields sometimes null.</summary>
    public static List<Row> RandomRows(Random random, int count, long timeFrom, long timeTo) =>
        [.. Enumerable.Range(0, count).Select(_ => new Row(
            random.Next(5) == 0 ? null : "h" + random.Next(6),
            random.Next(4) == 0 ? null : "r" + random.Next(3),
            random.NextInt64(timeFrom, timeTo + 1),
            random.Next(3) == 0 ? null : random.Next(100),
            random.Next(3) == 0 ? null : random.Next(100)))];

    /// <summary>A batch as rows of text in its table column order ("null" for a null).</summary>
    public static IEnumerable<string> Rows(RecordBatch batch)
    {
        var conformed = Table.Conform(batch);
        for (var i = 0; i < conformed.Length; i++)
        {
            yield return string.Join('|', conformed.Columns.Select(c => c.GetObject(i)?.ToString() ?? "null"));
        }
    }

    /// <summary>Cuts a batch into pieces of random sizes, as a reader hands out row groups and pages.</summary>
    public static List<RecordBatch> Pieces(Random random, RecordBatch batch)
    {
        var pieces = new List<RecordBatch>();
        for (var at = 0; at < batch.Length;)
        {
            var length = Math.Min(batch.Length - at, 1 + random.Next(7));
            pieces.Add(batch.Slice(at, length));
            at += length;
        }
        return pieces;
    }

    public static async IAsyncEnumerable<RecordBatch> Stream(IEnumerable<RecordBatch> batches, Action? onEach = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var batch in batches)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            onEach?.Invoke();
            yield return batch;
        }
    }
}

/// <summary>A chunk over batches held in memory, with whatever promises a test gives it.</summary>
internal sealed class ListChunk(IReadOnlyList<RecordBatch> batches, long order, bool sorted, bool duplicates, string partition = "p") : IQueryChunk
{
    public string Kind => "list";

    public string PartitionKey => partition;

    public long MinTime { get; } = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((TimestampArray)b.Column("time")!).GetValue(i))).DefaultIfEmpty().Min();

    public long MaxTime { get; } = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((TimestampArray)b.Column("time")!).GetValue(i))).DefaultIfEmpty().Max();

    public long RowCount => batches.Sum(b => b.Length);

    public long Order => order;

    public bool IsSorted => sorted;

    public bool MayHaveDuplicates => duplicates;

    public IReadOnlyDictionary<string, ChunkTagRange>? TagRanges => null;

    /// <summary>Reads before the chunk throws <see cref="ChunkGoneException"/> (a file compaction replaced and deleted).</summary>
    public int ReadsBeforeGone { get; set; } = int.MaxValue;

    public int Reads { get; private set; }

    public ValueTask<Schema> GetSchemaAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ChunkTestData.Table.Schema);

    public async IAsyncEnumerable<RecordBatch> ReadAsync(ChunkRead read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Reads++ >= ReadsBeforeGone)
        {
            throw new ChunkGoneException("list chunk is gone");
        }
        await foreach (var batch in ChunkTestData.Stream(batches, cancellationToken: cancellationToken))
        {
            yield return batch;
        }
    }
}
