using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>Collects a join's build side into one batch, reserving every byte it keeps.</summary>
internal static class JoinBuildSide
{
    /// <summary>All rows of <paramref name="input"/> in one batch, or null when it has none.</summary>
    public static async ValueTask<RecordBatch?> CollectAsync(Schema schema, IAsyncEnumerable<RecordBatch> input, JoinMemory memory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var parts = new List<RecordBatch>();
        long partBytes = 0;
        await foreach (var batch in input.WithCancellation(ct).ConfigureAwait(false))
        {
            ct.ThrowIfCancellationRequested();
            JoinColumns.Check(schema, batch, "right");
            if (batch.Length == 0)
            {
                continue;
            }
            var bytes = QueryMemoryPool.SizeOf(batch);
            memory.Grow(bytes);
            partBytes += bytes;
            parts.Add(batch);
        }
        if (parts.Count <= 1)
        {
            return parts.Count == 0 ? null : parts[0];
        }
        // Probe output gathers build rows by one row number, so the parts become one batch. The copy is reserved
        // before it is made: for a moment the join holds the build side twice.
        memory.Grow(partBytes);
        var length = 0;
        foreach (var part in parts)
        {
            length = checked(length + part.Length);
        }
        var columns = new ArrowArray[schema.FieldCount];
        var data = new ArrayData[parts.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            ct.ThrowIfCancellationRequested();
            for (var p = 0; p < parts.Count; p++)
            {
                data[p] = parts[p].Column(c).Data;
            }
            columns[c] = ArrowArray.Create(ArrayConcatenation.Concatenate(data));
        }
        var result = new RecordBatch(schema, columns, length);
        // The parts are the producer's to dispose; the join only drops its references and its reservation for them.
        memory.Shrink(partBytes);
        var actual = QueryMemoryPool.SizeOf(result);
        if (actual < partBytes)
        {
            memory.Shrink(partBytes - actual);
        }
        else
        {
            memory.Grow(actual - partBytes);
        }
        return result;
    }
}
