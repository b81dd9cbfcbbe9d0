using System.Runtime.InteropServices;
using Encoding = System.Text.Encoding;
using Tsdb.Arrow.Arrays;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Schema;

namespace Tsdb.Parquet.Reading;

/// <summary>
/// Narrows a page-level selection to the rows whose value satisfies a predicate. A selective read (one series of a
/// tag-sorted file) then decodes and returns its own rows instead of every row of the pages they share. Handles
/// strings of dictionary columns (tested by <see cref="ColumnChunkDecoder"/> on the pages' dictionary indices, see
/// <see cref="StringTest"/>) and signed 64-bit integers and timestamps (decoded over the selected pages, then
/// <see cref="Refine"/>); other columns leave the selection as it is (the caller filters exactly either way).
/// </summary>
internal static class RowRefinement
{
    public static bool CanRefine(ParquetColumn column, ColumnRange predicate, IReadOnlySet<string> dictionaryColumns) =>
        column.PhysicalType switch
        {
            PhysicalType.ByteArray => dictionaryColumns.Contains(column.Name) && Bound<string>(predicate),
            PhysicalType.Int64 => !column.UnsignedOrder && Bound<long>(predicate),
            _ => false,
        };

    /// <summary>The predicate's bounds are all of one kind (and there is at least one).</summary>
    private static bool Bound<T>(ColumnRange predicate) =>
        (predicate.Min is not null || predicate.Max is not null || predicate.AnyOf is not null)
        && predicate.Min is null or T && predicate.Max is null or T && (predicate.AnyOf ?? []).All(v => v is T);

    /// <summary>An INT64 predicate as one inclusive range (no list of values), for a range-testing decoder; else null.</summary>
    public static (long Min, long Max)? RangeOf(ColumnRange predicate) =>
        predicate.AnyOf is null && predicate.Min is null or long && predicate.Max is null or long && (predicate.Min ?? predicate.Max) is not null
            ? (predicate.Min as long? ?? long.MinValue, predicate.Max as long? ?? long.MaxValue)
            : null;

    /// <summary>The rows of <paramref name="selection"/> (in order, as <paramref name="decoded"/> holds them) that pass.</summary>
    public static RowSelection Refine(RowSelection selection, ArrowArray decoded, ColumnRange predicate)
    {
        if (predicate.AnyOf is null && decoded.NullCount == 0 && decoded is Int64Array or TimestampArray)
        {
            return RefineRange(selection, decoded.Data.GetValues<long>(), predicate.Min as long? ?? long.MinValue, predicate.Max as long? ?? long.MaxValue);
        }
        var pass = System.Buffers.ArrayPool<bool>.Shared.Rent(Math.Max(decoded.Length, 1));
        try
        {
            switch (decoded)
            {
                case Int64Array or TimestampArray:
                    Int64Mask(decoded.Data.GetValues<long>(), predicate, pass);
                    break;
                default:
                    return selection;
            }
            if (decoded.NullCount > 0)
            {
                for (var i = 0; i < decoded.Length; i++)
                {
                    pass[i] &= !decoded.IsNull(i);
                }
            }
            var ranges = new List<(long Start, long End)>();
            var index = 0;
            foreach (var (start, end) in selection.Ranges)
            {
                long runStart = -1;
                for (var row = start; row < end; row++, index++)
                {
                    if (pass[index] && runStart < 0)
                    {
                        runStart = row;
                    }
                    else if (!pass[index] && runStart >= 0)
                    {
                        ranges.Add((runStart, row));
                        runStart = -1;
                    }
                }
                if (runStart >= 0)
                {
                    ranges.Add((runStart, end));
                }
            }
            return RowSelection.FromRanges(ranges);
        }
        finally
        {
            System.Buffers.ArrayPool<bool>.Shared.Return(pass);
        }
    }

    /// <summary>
    /// The values of a null-free 64-bit column just decoded for <paramref name="from"/>, kept for the rows of
    /// <paramref name="to"/> (a subset of it). Compacted in place, range by range (a row never moves up, so nothing is
    /// overwritten before it is read): the caller owns the freshly decoded buffer, and the result is its first rows.
    /// </summary>
    public static ArrayData CompactInPlace(ArrayData decoded, RowSelection from, RowSelection to)
    {
        var values = MemoryMarshal.Cast<byte, long>(MemoryMarshal.AsMemory(decoded.Buffers[1]).Span).Slice(decoded.Offset, decoded.Length);
        var f = 0;
        long offset = 0;   // rows of from's ranges before range f
        var written = 0;
        foreach (var (first, end) in to.Ranges)
        {
            // A range of to may span adjacent ranges of from: moved piece by piece.
            for (var start = first; start < end;)
            {
                while (from.Ranges[f].End <= start)
                {
                    offset += from.Ranges[f].End - from.Ranges[f].Start;
                    f++;
                }
                if (start < from.Ranges[f].Start)
                {
                    throw new InvalidOperationException($"row {start} is not among the decoded rows");
                }
                var count = (int)(Math.Min(end, from.Ranges[f].End) - start);
                var source = (int)(offset + start - from.Ranges[f].Start);
                if (source != written)
                {
                    values.Slice(source, count).CopyTo(values.Slice(written, count));
                }
                written += count;
                start += count;
            }
        }
        return decoded.Slice(0, written);
    }

    /// <summary>
    /// <see cref="CompactInPlace"/>, then, when the rows kept are a small part of the decoded buffer, those rows copied
    /// into an array of their own size and the buffer disposed (back to its pool): a series' hours out of its whole run
    /// would otherwise hold a large pooled block that the batch never returns.
    /// </summary>
    public static ArrayData Compact(ArrayData decoded, RowSelection from, RowSelection to)
    {
        var compacted = CompactInPlace(decoded, from, to);
        if ((long)compacted.Length * 4 > decoded.Length)
        {
            return compacted;
        }
        var bytes = MemoryMarshal.AsBytes(compacted.GetValues<long>()).ToArray();
        var copy = new ArrayData(compacted.Type, compacted.Length, 0, [ReadOnlyMemory<byte>.Empty, bytes]);
        decoded.Dispose();
        return copy;
    }

    /// <summary>
    /// <see cref="Refine"/> for a range test of null-free values, in one pass: a row passes when value − min, unsigned,
    /// is at most max − min (one comparison), and only changes between passing and failing rows cost more than that.
    /// A time range over a tag-sorted file passes long runs (a series' hours), so the ranges list stays short.
    /// </summary>
    private static RowSelection RefineRange(RowSelection selection, ReadOnlySpan<long> values, long min, long max)
    {
        var ranges = new List<(long Start, long End)>();
        if (min > max)
        {
            return RowSelection.FromRanges(ranges);
        }
        var width = unchecked((ulong)(max - min));
        var index = 0;
        foreach (var (start, end) in selection.Ranges)
        {
            var count = (int)(end - start);
            var part = values.Slice(index, count);
            index += count;
            var runStart = -1;
            for (var i = 0; i < part.Length; i++)
            {
                var passes = unchecked((ulong)(part[i] - min)) <= width;
                if (passes == runStart >= 0)
                {
                    continue;
                }
                if (passes)
                {
                    runStart = i;
                }
                else
                {
                    ranges.Add((start + runStart, start + i));
                    runStart = -1;
                }
            }
            if (runStart >= 0)
            {
                ranges.Add((start + runStart, end));
            }
        }
        return RowSelection.FromRanges(ranges);
    }

    /// <summary>The predicate as a test of a string value's UTF-8 bytes (for <see cref="ColumnChunkDecoder"/>'s row filter).</summary>
    public static Func<ReadOnlySpan<byte>, bool> StringTest(ColumnRange predicate)
    {
        var min = predicate.Min is string low ? Encoding.UTF8.GetBytes(low) : null;
        var max = predicate.Max is string high ? Encoding.UTF8.GetBytes(high) : null;
        var anyOf = predicate.AnyOf?.Select(v => Encoding.UTF8.GetBytes((string)v)).ToArray();
        return value => StringPasses(value, min, max, anyOf);
    }

    private static bool StringPasses(ReadOnlySpan<byte> value, byte[]? min, byte[]? max, byte[][]? anyOf)
    {
        if ((min is not null && value.SequenceCompareTo(min) < 0) || (max is not null && value.SequenceCompareTo(max) > 0))
        {
            return false;
        }
        if (anyOf is null)
        {
            return true;
        }
        foreach (var candidate in anyOf)
        {
            if (value.SequenceEqual(candidate))
            {
                return true;
            }
        }
        return false;
    }

    private static void Int64Mask(ReadOnlySpan<long> values, ColumnRange predicate, bool[] pass)
    {
        var min = predicate.Min as long? ?? long.MinValue;
        var max = predicate.Max as long? ?? long.MaxValue;
        var anyOf = predicate.AnyOf?.Select(v => (long)v).ToHashSet();
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            pass[i] = value >= min && value <= max && (anyOf is null || anyOf.Contains(value));
        }
    }
}
