using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// The variance/stddev family: per group the count, running mean and sum of squared deviations (Welford, stable where
/// sum-of-squares cancels), merged pairwise (Chan et al.). Sample statistics are NULL below two values, population ones
/// below one.
/// </summary>
internal sealed class VarianceAccumulator : IGroupsAccumulator
{
    private readonly bool _population;
    private readonly bool _root;
    private long[] _counts = [];
    private double[] _means = [];
    private double[] _m2 = [];
    private int _groups;

    public VarianceAccumulator(bool population, bool root)
    {
        _population = population;
        _root = root;
    }

    public long MemoryBytes => (long)_counts.Length * (sizeof(long) + (2 * sizeof(double)));

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, 1);
        Resize(groupCount);
        var ids = GroupRows.Apply(groupIds, filter);
        var input = arguments[0];
        var values = NumericReader.Doubles(input);
        var validity = input.NullCount == 0 ? default : input.Data.Validity;
        var offset = input.Data.Offset;
        var counts = _counts;
        var means = _means;
        var m2 = _m2;
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g < 0 || (!validity.IsEmpty && !BitUtil.GetBit(validity, offset + i)))
            {
                continue;
            }
            var x = values[i];
            counts[g]++;
            var delta = x - means[g];
            means[g] += delta / counts[g];
            m2[g] += delta * (x - means[g]);
        }
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (VarianceAccumulator)other;
        GroupRows.CheckMapping(mapping, that._groups, groupCount);
        Resize(groupCount);
        for (var og = 0; og < that._groups; og++)
        {
            var n = that._counts[og];
            if (n == 0)
            {
                continue;
            }
            var g = mapping[og];
            var total = _counts[g] + n;
            var delta = that._means[og] - _means[g];
            _means[g] += delta * n / total;
            _m2[g] += that._m2[og] + (delta * delta * _counts[g] * n / total);
            _counts[g] = total;
        }
    }

    public ArrowArray Evaluate()
    {
        var result = new double[_groups];
        var valid = new bool[_groups];
        for (var g = 0; g < _groups; g++)
        {
            var divisor = _population ? _counts[g] : _counts[g] - 1;
            valid[g] = divisor > 0;
            var variance = divisor > 0 ? _m2[g] / divisor : 0;
            result[g] = _root ? Math.Sqrt(variance) : variance;
        }
        return Columns.FromValues(ArrowType.Float64, result, valid);
    }

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _counts, groupCount);
        GroupRows.Grow(ref _means, groupCount);
        GroupRows.Grow(ref _m2, groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
