using Tsdb.Arrow.Arrays;
using AA = Apache.Arrow;

namespace Tsdb.Arrow.Interop;

/// <summary>
/// Zero-copy conversions between Tsdb.Arrow and Apache.Arrow (C#) record batches, arrays, schemas, fields and types,
/// for .NET programs that embed the engine and hand its data to (or take data from) code written against
/// Apache.Arrow. Both libraries lay out every type Tsdb.Arrow has exactly as the Arrow columnar format says
/// (LSB-first bitmaps, int32/int64 offsets, little-endian values), so a conversion wraps the same memory: it costs
/// a few objects per column and nothing per row.
/// </summary>
/// <remarks>
/// <para>Lifetime: a converted batch or array is a <em>view</em>; the source keeps owning the memory.</para>
/// <para>Tsdb.Arrow to Apache.Arrow: the Apache.Arrow buffers wrap the Tsdb.Arrow buffers' <see cref="ReadOnlyMemory{T}"/>
/// with no owner, so disposing the Apache.Arrow batch or arrays frees nothing. Disposing the Tsdb.Arrow source returns
/// its pooled buffers (those of batches made by the builders) to <see cref="Memory.AlignedMemoryPool"/>; the pool hands
/// them to the next builder, so a view used after that reads someone else's values. It never reads freed memory
/// (pooled blocks are managed arrays), but its values are wrong: dispose the source only after the last use of the
/// view. Batches read by Tsdb.Arrow's IPC readers own nothing and point into the input bytes (or into decompressed
/// arrays), which then must stay unchanged.</para>
/// <para>Apache.Arrow to Tsdb.Arrow: the Tsdb.Arrow arrays point into the Apache.Arrow buffers, which Apache.Arrow's
/// builders and stream readers allocate in native memory. Disposing the Apache.Arrow batch frees that memory, and a
/// Tsdb.Arrow view read afterwards reads freed memory. Either keep the Apache.Arrow batch undisposed while the view is
/// used, or pass <c>takeOwnership: true</c> to <see cref="ToTsdbArrow(AA.RecordBatch, bool)"/> so that disposing the
/// Tsdb.Arrow batch disposes the Apache.Arrow one (and dispose only the Tsdb.Arrow one). Without an explicit Dispose,
/// the garbage collector keeps the memory alive as long as either side is reachable.</para>
/// <para>Types: every Tsdb.Arrow type converts both ways. Apache.Arrow types that Tsdb.Arrow lacks (dates, times,
/// durations, decimals, half floats, fixed-size binary, string/binary views, lists, structs, maps, unions, run-end
/// encoding, extensions) are refused with <see cref="NotSupportedException"/> rather than copied into another layout.
/// Metadata keys must be unique for Apache.Arrow, which keeps them in a dictionary; duplicates are refused.</para>
/// </remarks>
public static partial class ApacheArrowConversions
{
    /// <summary>An Apache.Arrow record batch over the same buffers as <paramref name="batch"/>.</summary>
    public static AA.RecordBatch ToApacheArrow(this RecordBatch batch) => batch.ToApacheArrow(null);

    /// <summary>
    /// An Apache.Arrow record batch over the same buffers as <paramref name="batch"/>, under
    /// <paramref name="schema"/> (converted once by the caller for a stream of batches, or null to convert it here).
    /// </summary>
    public static AA.RecordBatch ToApacheArrow(this RecordBatch batch, AA.Schema? schema)
    {
        ArgumentNullException.ThrowIfNull(batch);
        schema ??= batch.Schema.ToApacheArrow();
        if (schema.FieldsList.Count != batch.ColumnCount)
        {
            throw new ArgumentException($"schema has {schema.FieldsList.Count} fields, the batch {batch.ColumnCount} columns", nameof(schema));
        }
        var arrays = new AA.IArrowArray[batch.ColumnCount];
        for (var i = 0; i < arrays.Length; i++)
        {
            arrays[i] = batch.Column(i).ToApacheArrow();
        }
        return new AA.RecordBatch(schema, arrays, batch.Length);
    }

    /// <summary>
    /// A Tsdb.Arrow record batch over the same memory as <paramref name="batch"/>.
    /// With <paramref name="takeOwnership"/>, disposing the result disposes <paramref name="batch"/>.
    /// </summary>
    public static RecordBatch ToTsdbArrow(this AA.RecordBatch batch, bool takeOwnership = false) => batch.ToTsdbArrow(null, takeOwnership);

    /// <summary>As <see cref="ToTsdbArrow(AA.RecordBatch, bool)"/>, under a schema the caller converted once.</summary>
    public static RecordBatch ToTsdbArrow(this AA.RecordBatch batch, Types.Schema? schema, bool takeOwnership = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        schema ??= batch.Schema.ToTsdbArrow();
        var columns = new ArrowArray[batch.ColumnCount];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = batch.Column(i).ToTsdbArrow();
        }
        return new RecordBatch(schema, columns, batch.Length, takeOwnership ? batch : null);
    }
}
