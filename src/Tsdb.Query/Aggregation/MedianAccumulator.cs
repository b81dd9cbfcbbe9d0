using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// median(x), exact: every non-null value of each group is kept, then sorted once in <see cref="Evaluate"/> (NaN sorts
/// first, as today's List.Sort does; it is not skipped). The middle value, or the mean of the two middle ones.
/// </summary>
internal sealed class MedianAccumulator : IGroupsAccumulator
{
    private List<double>?[] _values = [];
    private int _groups;
    private long _count;

    public long MemoryBytes => ((long)_values.Length * 8) + (_count * sizeof(double) * 2);   // lists double as they grow

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, 1);
        Resize(groupCount);
        var ids = GroupRows.Apply(groupIds, filter);
        var input = arguments[0];
        var values = NumericReader.Doubles(input);
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
        var that = (MedianAccumulator)other;
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
        var result = new double[_groups];
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
            result[g] = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        }
        return Columns.FromValues(ArrowType.Float64, result, valid);
    }

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _values, groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
