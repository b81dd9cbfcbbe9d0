using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// Builds batches from rows picked out of several batches (the sorted order of buffered batches, or the rows a
/// k-way merge takes from its runs). Each source is gathered once with <see cref="Selection.Take(ArrowArray, ReadOnlySpan{int})"/>,
/// the pieces are concatenated and one more take puts the rows in the asked order: two copies per column and output
/// batch whatever the interleaving, instead of a take per stretch of rows. Dictionary columns are gathered straight
/// into indices of one <see cref="DictionaryUnifier"/> per column, kept across the batches of one gather, so that
/// source dictionaries are merged once rather than once per output batch, and consecutive output batches share
/// their dictionary.
/// </summary>
internal sealed class RowGather
{
    private readonly Schema _schema;
    private readonly DictionaryUnifier?[] _unifiers;

    public RowGather(Schema schema)
    {
        _schema = schema;
        _unifiers = new DictionaryUnifier?[schema.FieldCount];
        for (var c = 0; c < _unifiers.Length; c++)
        {
            if (schema[c].Type.Id == ArrowTypeId.Dictionary)
            {
                _unifiers[c] = new DictionaryUnifier();
            }
        }
    }

    /// <summary>Output row i is row <paramref name="row"/>[i] of <paramref name="sources"/>[<paramref name="source"/>[i]].</summary>
    public RecordBatch Gather(IReadOnlyList<RecordBatch> sources, ReadOnlySpan<int> source, ReadOnlySpan<int> row)
    {
        var n = source.Length;
        if (n == 0)
        {
            throw new ArgumentException("nothing to gather", nameof(source));
        }
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
        // Lay each source's rows out together (sources in order), remembering where each output row went.
        var starts = new int[sources.Count];
        for (var s = 1; s < starts.Length; s++)
        {
            starts[s] = starts[s - 1] + counts[s - 1];
        }
        var next = (int[])starts.Clone();
        var take = new int[n];
        var position = new int[n];
        var output = new int[n];
        for (var i = 0; i < n; i++)
        {
            var p = next[source[i]]++;
            take[p] = row[i];
            position[i] = p;
            output[p] = i;
        }
        var columns = new ArrowArray[_schema.FieldCount];
        var parts = new ArrayData[used];
        for (var c = 0; c < columns.Length; c++)
        {
            if (_unifiers[c] is { } unifier)
            {
                columns[c] = GatherDictionary(unifier, _schema[c].Type, sources, c, counts, starts, take, output);
                continue;
            }
            if (used == 1)
            {
                // One source: its rows are already in the asked order.
                columns[c] = Selection.Take(sources[only].Column(c), row);
                continue;
            }
            var part = 0;
            for (var s = 0; s < counts.Length; s++)
            {
                if (counts[s] > 0)
                {
                    parts[part++] = Selection.Take(sources[s].Column(c), take.AsSpan(starts[s], counts[s])).Data;
                }
            }
            columns[c] = Selection.Take(ArrowArray.Create(ArrayConcatenation.Concatenate(parts)), position);
        }
        return new RecordBatch(_schema, columns, n);
    }

    private static DictionaryArray GatherDictionary(DictionaryUnifier unifier, ArrowType type, IReadOnlyList<RecordBatch> sources, int column,
        int[] counts, int[] starts, int[] take, int[] output)
    {
        var n = take.Length;
        var bytes = new byte[n * sizeof(int)];
        var indices = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes.AsSpan());
        var validity = new byte[BitUtil.BytesFor(n)];
        var nulls = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            if (counts[s] == 0)
            {
                continue;
            }
            var data = sources[s].Column(column).Data;
            var remap = unifier.Remap(data.Dictionary!);
            var values = data.GetValues<int>();
            var end = starts[s] + counts[s];
            for (var p = starts[s]; p < end; p++)
            {
                var r = take[p];
                var i = output[p];
                var index = data.IsNull(r) ? -1 : remap[values[r]];
                if (index < 0)
                {
                    nulls++;
                }
                else
                {
                    indices[i] = index;
                    BitUtil.SetBit(validity, i);
                }
            }
        }
        return (DictionaryArray)ArrowArray.Create(new ArrayData(type, n, nulls,
            [nulls == 0 ? ReadOnlyMemory<byte>.Empty : validity, bytes], dictionary: unifier.Snapshot()));
    }
}
