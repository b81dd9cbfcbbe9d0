using System.Numerics;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Execution;

/// <summary>
/// Computes one window function over a segment of whole partitions, sorted by partition then order keys. Frames that
/// start at the partition's first row are accumulated as they grow (one pass); sliding frames (n PRECEDING) are
/// summed afresh for each row, in row order, so a moving sum adds exactly the values a query over the frame would.
/// </summary>
internal static class WindowEvaluator
{
    public static ArrowArray Evaluate(WindowExpr f, IReadOnlyList<ArrowArray> args, WindowRows rows)
    {
        var n = rows.Length;
        switch (f.Kind)
        {
            case WindowFunctionKind.RowNumber:
            case WindowFunctionKind.Rank:
            case WindowFunctionKind.DenseRank:
                return Ranks(f.Kind, rows);
            case WindowFunctionKind.Lag:
            case WindowFunctionKind.Lead:
            {
                var indices = new int[n];
                var pick = new int[n];
                for (var i = 0; i < n; i++)
                {
                    var j = f.Kind == WindowFunctionKind.Lag ? i - f.Offset : i + f.Offset;
                    var inside = j >= rows.PartitionStart[i] && j < rows.PartitionEnd[i];
                    indices[i] = inside ? (int)j : -1;
                    pick[i] = inside ? 0 : 1;
                }
                var taken = Selection.Take(args[0], indices);
                return args.Count > 1 ? Columns.Choose([taken, args[1]], pick, n) : taken;
            }
            case WindowFunctionKind.FirstValue:
            case WindowFunctionKind.LastValue:
            {
                var indices = new int[n];
                for (var i = 0; i < n; i++)
                {
                    var (s, e) = Frame(f.Frame, i, rows);
                    indices[i] = s >= e ? -1 : f.Kind == WindowFunctionKind.FirstValue ? s : e - 1;
                }
                return Selection.Take(args[0], indices);
            }
            case WindowFunctionKind.Count:
                return Count(f.Frame, args.Count == 0 ? null : args[0], rows);
            case WindowFunctionKind.Min:
            case WindowFunctionKind.Max:
                return MinMax(f.Frame, args[0], rows, f.Kind == WindowFunctionKind.Max);
            case WindowFunctionKind.Avg:
                return Sum(f.Frame, args[0].Data.GetValues<double>(), args[0], rows, ArrowType.Float64, average: true);
            default:
                return f.Type.Id switch
                {
                    ArrowTypeId.Int64 => Sum(f.Frame, args[0].Data.GetValues<long>(), args[0], rows, ArrowType.Int64, average: false),
                    ArrowTypeId.UInt64 => Sum(f.Frame, args[0].Data.GetValues<ulong>(), args[0], rows, ArrowType.UInt64, average: false),
                    _ => Sum(f.Frame, args[0].Data.GetValues<double>(), args[0], rows, ArrowType.Float64, average: false),
                };
        }
    }

    /// <summary>Row i's frame as [start, end) positions in the segment (empty when end &lt;= start).</summary>
    internal static (int Start, int End) Frame(WindowFrameSpec frame, int i, WindowRows rows)
    {
        var ps = rows.PartitionStart[i];
        var pe = rows.PartitionEnd[i];
        int s;
        int e;
        if (frame.Rows)
        {
            s = frame.Start is { } a ? (int)Math.Clamp(i + a, ps, pe) : ps;
            e = frame.End is { } b ? (int)Math.Clamp(i + b + 1, ps, pe) : pe;
        }
        else
        {
            s = frame.Start is null ? ps : rows.PeerStart[i];
            e = frame.End is null ? pe : rows.PeerEnd[i];
        }
        return (s, Math.Max(s, e));
    }

    private static ArrowArray Ranks(WindowFunctionKind kind, WindowRows rows)
    {
        var n = rows.Length;
        var values = new long[n];
        long dense = 0;
        for (var i = 0; i < n; i++)
        {
            var ps = rows.PartitionStart[i];
            if (i == ps)
            {
                dense = 0;
            }
            if (i == rows.PeerStart[i])
            {
                dense++;
            }
            values[i] = kind switch
            {
                WindowFunctionKind.RowNumber => i - ps + 1,
                WindowFunctionKind.Rank => rows.PeerStart[i] - ps + 1,
                _ => dense,
            };
        }
        return Columns.FromValues(ArrowType.Int64, values, null);
    }

    private static ArrowArray Count(WindowFrameSpec frame, ArrowArray? x, WindowRows rows)
    {
        var n = rows.Length;
        var values = new long[n];
        var growing = frame.Start is null;
        var partition = -1;
        var next = 0;
        long count = 0;
        for (var i = 0; i < n; i++)
        {
            var (s, e) = Frame(frame, i, rows);
            if (x is null)
            {
                values[i] = e - s;
                continue;
            }
            if (!growing || rows.PartitionStart[i] != partition)
            {
                partition = rows.PartitionStart[i];
                count = 0;
                next = s;
            }
            for (; next < e; next++)
            {
                if (!x.IsNull(next))
                {
                    count++;
                }
            }
            values[i] = count;
        }
        return Columns.FromValues(ArrowType.Int64, values, null);
    }

    private static ArrowArray Sum<T>(WindowFrameSpec frame, ReadOnlySpan<T> input, ArrowArray x, WindowRows rows, ArrowType type, bool average)
        where T : unmanaged, INumber<T>
    {
        var n = rows.Length;
        var sums = new T[n];
        var averages = average ? new double[n] : null;
        var valid = new bool[n];
        var growing = frame.Start is null;
        var partition = -1;
        var next = 0;
        var sum = T.Zero;
        long count = 0;
        try
        {
            for (var i = 0; i < n; i++)
            {
                var (s, e) = Frame(frame, i, rows);
                if (!growing || rows.PartitionStart[i] != partition)
                {
                    partition = rows.PartitionStart[i];
                    sum = T.Zero;
                    count = 0;
                    next = s;
                }
                for (; next < e; next++)
                {
                    if (!x.IsNull(next))
                    {
                        sum = checked(sum + input[next]);
                        count++;
                    }
                }
                valid[i] = count > 0;
                sums[i] = sum;
                if (averages is not null && count > 0)
                {
                    averages[i] = double.CreateChecked(sum) / count;
                }
            }
        }
        catch (OverflowException)
        {
            throw new QueryException("integer overflow in a window sum");
        }
        return averages is not null ? Columns.FromValues(ArrowType.Float64, averages, valid) : Columns.FromValues(type, sums, valid);
    }

    private static ArrowArray MinMax(WindowFrameSpec frame, ArrowArray x, WindowRows rows, bool max)
    {
        var n = rows.Length;
        var keys = MergeKeyColumn.Create(x);
        var indices = new int[n];
        var growing = frame.Start is null;
        var partition = -1;
        var next = 0;
        var best = -1;
        for (var i = 0; i < n; i++)
        {
            var (s, e) = Frame(frame, i, rows);
            if (!growing || rows.PartitionStart[i] != partition)
            {
                partition = rows.PartitionStart[i];
                best = -1;
                next = s;
            }
            for (; next < e; next++)
            {
                if (x.IsNull(next))
                {
                    continue;
                }
                if (best < 0)
                {
                    best = next;
                    continue;
                }
                var c = MergeKeyColumn.Compare(keys, next, keys, best, descending: false, nullsFirst: false);
                if (max ? c > 0 : c < 0)
                {
                    best = next;
                }
            }
            indices[i] = best;
        }
        return Selection.Take(x, indices);
    }
}
