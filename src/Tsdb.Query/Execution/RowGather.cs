using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// Builds one batch from rows picked out of several batches (the sorted order of buffered batches, or the rows a
/// k-way merge takes from its runs). Each source is gathered once with <see cref="Selection.Take(RecordBatch, ReadOnlySpan{int})"/>,
/// the pieces are concatenated (string dictionaries merged) and one more take puts the rows in the asked order:
/// two copies per column and output batch whatever the interleaving, instead of a take per stretch of rows.
/// </summary>
internal static class RowGather
{
    /// <summary>Output row i is row <paramref name="row"/>[i] of <paramref name="sources"/>[<paramref name="source"/>[i]].</summary>
    public static RecordBatch Gather(Schema schema, IReadOnlyList<RecordBatch> sources, ReadOnlySpan<int> source, ReadOnlySpan<int> row)
    {
        var n = source.Length;
        var counts = new int[sources.Count];
        foreach (var s in source)
        {
            counts[s]++;
        }
        var used = 0;
        var only = -1;
        for (var s = 0; s < counts.Length; s++)
        {
            if (counts[s] > 0)
            {
                used++;
                only = s;
            }
        }
        if (used == 0)
        {
            throw new ArgumentException("nothing to gather", nameof(source));
        }
        if (used == 1)
        {
            // Every row from one batch: the rows are already in the asked order.
            return Take(schema, sources[only], row);
        }
        var starts = new int[sources.Count];
        for (var s = 1; s < starts.Length; s++)
        {
            starts[s] = starts[s - 1] + counts[s - 1];
        }
        var next = (int[])starts.Clone();
        var take = new int[n];
        var position = new int[n];
        for (var i = 0; i < n; i++)
        {
            var p = next[source[i]]++;
            take[p] = row[i];
            position[i] = p;
        }
        var pieces = new RecordBatch[used];
        var piece = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            if (counts[s] > 0)
            {
                pieces[piece++] = Selection.Take(sources[s], take.AsSpan(starts[s], counts[s]));
            }
        }
        var columns = new ArrowArray[schema.FieldCount];
        var parts = new ArrayData[used];
        for (var c = 0; c < columns.Length; c++)
        {
            for (var p = 0; p < used; p++)
            {
                parts[p] = pieces[p].Column(c).Data;
            }
            columns[c] = Selection.Take(ArrowArray.Create(ArrayConcatenation.Concatenate(parts)), position);
        }
        return new RecordBatch(schema, columns, n);
    }

    private static RecordBatch Take(Schema schema, RecordBatch batch, ReadOnlySpan<int> rows)
    {
        var columns = new ArrowArray[schema.FieldCount];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = Selection.Take(batch.Column(c), rows);
        }
        return new RecordBatch(schema, columns, rows.Length);
    }
}
