using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Execution;

/// <summary>
/// Window functions over one PARTITION BY / ORDER BY. Each input batch gets its partition keys, order keys and the
/// functions' arguments appended as columns; the rows are sorted by partition then order keys with the
/// <see cref="ExternalSorter"/> (bounded memory, spilling runs to disk), and the sorted stream is cut into segments
/// of whole partitions: a segment is computed and sent as soon as the next partition starts, so only the partition
/// in progress is held (against the query's memory pool). Without PARTITION BY the whole input is one partition.
/// </summary>
internal sealed class WindowExec(ExecutionPlan input, IReadOnlyList<Expr> partitionBy, IReadOnlyList<SortExpr> orderBy, IReadOnlyList<WindowExpr> functions, Schema schema) : ExecutionPlan
{
    public override Schema Schema => schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() =>
        $"WindowExec: partitionBy=[{string.Join(", ", partitionBy)}], orderBy=[{string.Join(", ", orderBy)}], functions=[{string.Join(", ", functions.Select(f => $"{f.Name}: {f.Frame}"))}]";

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        var width = input.Schema.FieldCount;
        var keyCount = partitionBy.Count + orderBy.Count;
        var argumentStart = new int[functions.Count];
        var columnCount = width + keyCount;
        for (var f = 0; f < functions.Count; f++)
        {
            argumentStart[f] = columnCount;
            columnCount += functions[f].Arguments.Count;
        }
        var names = new string[columnCount];
        for (var c = 0; c < columnCount; c++)
        {
            names[c] = c < width ? input.Schema[c].Name : $"__window_{c - width}";
        }
        using var sortMemory = context.Memory.Reserve("Window sort");
        using var held = context.Memory.Reserve("Window");
        ExternalSorter? sorter = null;
        try
        {
            IAsyncEnumerable<RecordBatch> sorted;
            if (keyCount == 0)
            {
                sorted = ExtendedAsync(context, names);
            }
            else
            {
                var keys = new SortKey[keyCount];
                for (var k = 0; k < partitionBy.Count; k++)
                {
                    keys[k] = new SortKey(width + k, false, false);
                }
                for (var k = 0; k < orderBy.Count; k++)
                {
                    keys[partitionBy.Count + k] = new SortKey(width + partitionBy.Count + k, orderBy[k].Descending, orderBy[k].NullsFirst);
                }
                await foreach (var batch in ExtendedAsync(context, names).ConfigureAwait(false))
                {
                    sorter ??= new ExternalSorter(batch.Schema, keys, sortMemory, context.SpillDirectory, null, context.BatchSize);
                    await sorter.AddAsync(batch, context.CancellationToken).ConfigureAwait(false);
                    Metrics.PeakMemory = Math.Max(Metrics.PeakMemory, sortMemory.Size);
                }
                if (sorter is null)
                {
                    yield break;
                }
                sorted = sorter.SortedAsync(context.CancellationToken);
            }

            var pending = new List<RecordBatch>();
            long heldBytes = 0;
            MergeKeyColumn[]? previous = null;
            var previousLength = 0;
            await foreach (var batch in sorted.ConfigureAwait(false))
            {
                if (sorter is not null)
                {
                    Metrics.Spills = sorter.SpillCount;
                    Metrics.SpilledBytes = sorter.SpilledBytes;
                }
                if (batch.Length == 0)
                {
                    continue;
                }
                var keys = PartitionKeys(batch, width);
                var cut = LastPartitionStart(previous, previousLength, keys, batch.Length);
                previous = keys;
                previousLength = batch.Length;
                var rest = batch;
                if (cut >= 0)
                {
                    if (cut > 0)
                    {
                        pending.Add(batch.Slice(0, cut));
                    }
                    foreach (var output in Compute(pending, names, width, argumentStart, context.BatchSize))
                    {
                        yield return output;
                    }
                    pending.Clear();
                    held.Shrink(heldBytes);
                    heldBytes = 0;
                    rest = batch.Slice(cut, batch.Length - cut);
                }
                // The partition in progress is held until it ends: past the pool's limit the query fails naming the
                // window. A slice shares its batch's buffers, so it is charged its rows' share of the batch, not the
                // whole buffers (a partition of ten rows must not cost a full sorted batch).
                var size = QueryMemoryPool.SizeOf(batch) * rest.Length / batch.Length;
                held.Grow(size);
                heldBytes += size;
                Metrics.PeakMemory = Math.Max(Metrics.PeakMemory, held.Size + sortMemory.Size);
                pending.Add(rest);
            }
            foreach (var output in Compute(pending, names, width, argumentStart, context.BatchSize))
            {
                yield return output;
            }
        }
        finally
        {
            if (sorter is not null)
            {
                await sorter.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The input with the partition keys, order keys and function arguments appended.</summary>
    private async IAsyncEnumerable<RecordBatch> ExtendedAsync(TaskContext context, string[] names)
    {
        var width = input.Schema.FieldCount;
        var exprs = new List<Expr>();
        exprs.AddRange(partitionBy);
        exprs.AddRange(orderBy.Select(o => o.Expr));
        foreach (var f in functions)
        {
            exprs.AddRange(f.Arguments);
        }
        await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
        {
            var columns = new ArrowArray[width + exprs.Count];
            for (var c = 0; c < width; c++)
            {
                columns[c] = batch.Column(c);
            }
            for (var e = 0; e < exprs.Count; e++)
            {
                var value = exprs[e].Evaluate(batch, context.Eval);
                columns[width + e] = value.IsScalar && value.Scalar is null && exprs[e].Type.Id != ArrowTypeId.Null
                    ? ScanExec.NullColumn(exprs[e].Type, batch.Length)
                    : value.ToArray(batch.Length);
            }
            yield return MakeBatch(names, columns, batch.Length);
        }
    }

    private MergeKeyColumn[] PartitionKeys(RecordBatch batch, int width)
    {
        var keys = new MergeKeyColumn[partitionBy.Count];
        for (var k = 0; k < keys.Length; k++)
        {
            keys[k] = MergeKeyColumn.Create(batch.Column(width + k));
        }
        return keys;
    }

    /// <summary>The last row of the batch that starts a partition (0: the first row, after the previous batch), or -1.</summary>
    private static int LastPartitionStart(MergeKeyColumn[]? previous, int previousLength, MergeKeyColumn[] keys, int length)
    {
        if (keys.Length == 0)
        {
            return -1;
        }
        for (var i = length - 1; i > 0; i--)
        {
            if (!SameRow(keys, i - 1, keys, i))
            {
                return i;
            }
        }
        return previous is not null && !SameRow(previous, previousLength - 1, keys, 0) ? 0 : -1;
    }

    private static bool SameRow(MergeKeyColumn[] a, int rowA, MergeKeyColumn[] b, int rowB)
    {
        for (var k = 0; k < a.Length; k++)
        {
            if (MergeKeyColumn.Compare(a[k], rowA, b[k], rowB, false, false) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The window columns of a segment of whole partitions, as output batches of at most the batch size.</summary>
    private List<RecordBatch> Compute(List<RecordBatch> pending, string[] names, int width, int[] argumentStart, int batchSize)
    {
        var outputs = new List<RecordBatch>();
        if (pending.Count == 0)
        {
            return outputs;
        }
        var segment = Columns.Concatenate(pending[0].Schema, pending);
        var n = segment.Length;
        var partitionKeys = new MergeKeyColumn[partitionBy.Count];
        for (var k = 0; k < partitionKeys.Length; k++)
        {
            partitionKeys[k] = MergeKeyColumn.Create(segment.Column(width + k));
        }
        var orderKeys = new MergeKeyColumn[orderBy.Count];
        for (var k = 0; k < orderKeys.Length; k++)
        {
            orderKeys[k] = MergeKeyColumn.Create(segment.Column(width + partitionBy.Count + k));
        }
        var partitionStart = new int[n];
        var partitionEnd = new int[n];
        var peerStart = new int[n];
        var peerEnd = new int[n];
        for (var i = 0; i < n; i++)
        {
            var newPartition = i == 0 || !SameRow(partitionKeys, i - 1, partitionKeys, i);
            partitionStart[i] = newPartition ? i : partitionStart[i - 1];
            peerStart[i] = newPartition || !SameRow(orderKeys, i - 1, orderKeys, i) ? i : peerStart[i - 1];
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var last = i == n - 1;
            partitionEnd[i] = last || partitionStart[i + 1] != partitionStart[i] ? i + 1 : partitionEnd[i + 1];
            peerEnd[i] = last || peerStart[i + 1] != peerStart[i] ? i + 1 : peerEnd[i + 1];
        }
        var rows = new WindowRows(partitionStart, partitionEnd, peerStart, peerEnd);
        var columns = new ArrowArray[width + functions.Count];
        for (var c = 0; c < width; c++)
        {
            columns[c] = segment.Column(c);
        }
        for (var f = 0; f < functions.Count; f++)
        {
            var args = new ArrowArray[functions[f].Arguments.Count];
            for (var a = 0; a < args.Length; a++)
            {
                args[a] = segment.Column(argumentStart[f] + a);
            }
            columns[width + f] = WindowEvaluator.Evaluate(functions[f], args, rows);
        }
        var outputNames = new string[columns.Length];
        for (var c = 0; c < outputNames.Length; c++)
        {
            outputNames[c] = c < width ? names[c] : functions[c - width].Name;
        }
        var whole = MakeBatch(outputNames, columns, n);
        for (var at = 0; at < n; at += batchSize)
        {
            outputs.Add(at == 0 && n <= batchSize ? whole : whole.Slice(at, Math.Min(batchSize, n - at)));
        }
        return outputs;
    }
}
