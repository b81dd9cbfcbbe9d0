using System.Numerics;
using System.Runtime.InteropServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;
using Tsdb.Query.Functions;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// sum(x) in x's working type: signed integers as int64 and unsigned as uint64, both with overflow an error (as today's
/// engine: a wrapped sum would be a silent wrong answer), floats as float64. A group without a non-null value is NULL.
/// </summary>
internal sealed class SumAccumulator<T> : IGroupsAccumulator where T : unmanaged, INumber<T>
{
    private readonly ArrowType _type;
    private T[] _sums = [];
    private bool[] _seen = [];
    private int _groups;

    public SumAccumulator(ArrowType type) => _type = type;

    public long MemoryBytes => (long)_sums.Length * (Marshal.SizeOf<T>() + 1);

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, 1);
        Resize(groupCount);
        var ids = GroupRows.Apply(groupIds, filter);
        var input = arguments[0];
        var values = Values(input);
        var validity = input.NullCount == 0 ? default : input.Data.Validity;
        var offset = input.Data.Offset;
        var sums = _sums;
        var seen = _seen;
        try
        {
            for (var i = 0; i < ids.Length; i++)
            {
                var g = ids[i];
                if (g >= 0 && (validity.IsEmpty || BitUtil.GetBit(validity, offset + i)))
                {
                    sums[g] = checked(sums[g] + values[i]);
                    seen[g] = true;
                }
            }
        }
        catch (OverflowException)
        {
            throw new FunctionException("integer overflow");
        }
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (SumAccumulator<T>)other;
        GroupRows.CheckMapping(mapping, that._groups, groupCount);
        Resize(groupCount);
        try
        {
            for (var g = 0; g < that._groups; g++)
            {
                if (that._seen[g])
                {
                    var to = mapping[g];
                    _sums[to] = checked(_sums[to] + that._sums[g]);
                    _seen[to] = true;
                }
            }
        }
        catch (OverflowException)
        {
            throw new FunctionException("integer overflow");
        }
    }

    public ArrowArray Evaluate() => Columns.FromValues(_type, _sums[.._groups], _seen[.._groups]);

    private static ReadOnlySpan<T> Values(ArrowArray input)
    {
        if (typeof(T) == typeof(long))
        {
            return MemoryMarshal.Cast<long, T>(NumericReader.Longs(input));
        }
        if (typeof(T) == typeof(ulong))
        {
            return MemoryMarshal.Cast<ulong, T>(input.Type.Id == ArrowTypeId.UInt64 ? input.Data.GetValues<ulong>() : NumericReader.UInt64Values(input));
        }
        return MemoryMarshal.Cast<double, T>(NumericReader.Doubles(input));
    }

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _sums, groupCount);
        GroupRows.Grow(ref _seen, groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
