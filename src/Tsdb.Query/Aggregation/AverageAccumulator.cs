using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>avg/mean(x): a float64 sum and a count per group (how today's partial path keeps it); NULL for an empty group.</summary>
internal sealed class AverageAccumulator : IGroupsAccumulator
{
    private double[] _sums = [];
    private long[] _counts = [];
    private int _groups;

    public long MemoryBytes => (long)_sums.Length * (sizeof(double) + sizeof(long));

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, 1);
        Resize(groupCount);
        var ids = GroupRows.Apply(groupIds, filter);
        var input = arguments[0];
        var validity = input.NullCount == 0 ? default : input.Data.Validity;
        var offset = input.Data.Offset;
        var sums = _sums;
        var counts = _counts;
        if (input.Type.Id == ArrowTypeId.Int64)
        {
            // The usual integer field: read in place, each value converted to double as the row path does.
            var longs = input.Data.GetValues<long>();
            for (var i = 0; i < ids.Length; i++)
            {
                var g = ids[i];
                if (g >= 0 && (validity.IsEmpty || BitUtil.GetBit(validity, offset + i)))
                {
                    sums[g] += longs[i];
                    counts[g]++;
                }
            }
            return;
        }
        var values = NumericReader.Doubles(input);
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g >= 0 && (validity.IsEmpty || BitUtil.GetBit(validity, offset + i)))
            {
                sums[g] += values[i];
                counts[g]++;
            }
        }
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (AverageAccumulator)other;
        GroupRows.CheckMapping(mapping, that._groups, groupCount);
        Resize(groupCount);
        for (var g = 0; g < that._groups; g++)
        {
            _sums[mapping[g]] += that._sums[g];
            _counts[mapping[g]] += that._counts[g];
        }
    }

    public ArrowArray Evaluate()
    {
        var result = new double[_groups];
        var valid = new bool[_groups];
        for (var g = 0; g < _groups; g++)
        {
            valid[g] = _counts[g] > 0;
            result[g] = valid[g] ? _sums[g] / _counts[g] : 0;
        }
        return Columns.FromValues(ArrowType.Float64, result, valid);
    }

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _sums, groupCount);
        GroupRows.Grow(ref _counts, groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
