using System.Numerics;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// median(x), exact: every non-null value of each group is kept, then sorted once in <see cref="Evaluate"/> (NaN sorts
/// first, as today's List.Sort does; it is not skipped). The middle value, or the mean of the two middle ones. As in
/// DataFusion the answer keeps the argument's kind: integers give an integer, the mean of the middle two computed as
/// <c>(a + b) / 2</c> in the integer type (wrapping on overflow, truncated toward zero), floats a float.
/// </summary>
internal sealed class MedianAccumulator<T>(ArrowType type, MedianAccumulator<T>.Reader read) : IGroupsAccumulator
    where T : unmanaged, INumber<T>
{
    public delegate ReadOnlySpan<T> Reader(ArrowArray input);

    private static readonly T Two = T.CreateTruncating(2);

    private List<T>?[] _values = [];
    private int _groups;
    private long _count;

    public unsafe long MemoryBytes => ((long)_values.Length * 8) + (_count * sizeof(T) * 2);   // lists double as they grow

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, 1);
        Resize(groupCount);
        var ids = GroupRows.Apply(groupIds, filter);
        var input = arguments[0];
        var values = read(input);
        var validity = input.NullCount == 0 ? default : input.Data.Validity;
        var offset = input.Data.Offset;
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g >= 0 && (validity.IsEmpty || BitUtil.GetBit(validity, offset + i)))
            {
                (_values[g] ??= []).Add(values[i]);
                _count++;
            }
        }
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (MedianAccumulator<T>)other;
        GroupRows.CheckMapping(mapping, that._groups, groupCount);
        Resize(groupCount);
        for (var og = 0; og < that._groups; og++)
        {
            if (that._values[og] is { } list)
            {
                (_values[mapping[og]] ??= []).AddRange(list);
                _count += list.Count;
            }
        }
    }

    public ArrowArray Evaluate()
    {
        var result = new T[_groups];
        var valid = new bool[_groups];
        for (var g = 0; g < _groups; g++)
        {
            if (_values[g] is not { Count: > 0 } list)
            {
                continue;
            }
            var sorted = list.ToArray();   // Evaluate must not disturb the state (it may be called again)
            Array.Sort(sorted);
            var n = sorted.Length;
            valid[g] = true;
            result[g] = n % 2 == 1 ? sorted[n / 2] : unchecked(sorted[(n / 2) - 1] + sorted[n / 2]) / Two;
        }
        return Columns.FromValues(type, result, valid);
    }

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _values, groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
