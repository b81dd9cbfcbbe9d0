using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// approx_percentile_cont(x, p): a <see cref="TDigest"/> per group (NULL and NaN values skipped, as today), so the
/// state stays bounded however many rows a group has and merges across partitions. Up to
/// <see cref="TDigest.ExactLimit"/> values per group the answer is exact: linear interpolation between the neighbouring
/// order statistics at rank p·(n−1), as today's engine computes it.
/// </summary>
internal sealed class PercentileAccumulator : IGroupsAccumulator
{
    private readonly double _fraction;
    private TDigest?[] _digests = [];
    private int _groups;
    private long _digestBytes;

    public PercentileAccumulator(double fraction) => _fraction = fraction;

    /// <summary>Kept as a running total: the operator asks after every batch, and walking every group each time would be quadratic.</summary>
    public long MemoryBytes => ((long)_digests.Length * 8) + _digestBytes;

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
            if (g >= 0 && (validity.IsEmpty || BitUtil.GetBit(validity, offset + i)) && !double.IsNaN(values[i]))
            {
                var digest = _digests[g] ??= NewDigest();
                var before = digest.MemoryBytes;
                digest.Add(values[i]);
                _digestBytes += digest.MemoryBytes - before;
            }
        }
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (PercentileAccumulator)other;
        GroupRows.CheckMapping(mapping, that._groups, groupCount);
        Resize(groupCount);
        for (var og = 0; og < that._groups; og++)
        {
            if (that._digests[og] is { } digest)
            {
                var into = _digests[mapping[og]] ??= NewDigest();
                var before = into.MemoryBytes;
                into.Merge(digest);
                _digestBytes += into.MemoryBytes - before;
            }
        }
    }

    public ArrowArray Evaluate()
    {
        var result = new double[_groups];
        var valid = new bool[_groups];
        for (var g = 0; g < _groups; g++)
        {
            if (_digests[g] is { Count: > 0 } digest)
            {
                result[g] = digest.Quantile(_fraction);
                valid[g] = true;
            }
        }
        return Columns.FromValues(ArrowType.Float64, result, valid);
    }

    private TDigest NewDigest()
    {
        var digest = new TDigest();
        _digestBytes += digest.MemoryBytes;
        return digest;
    }

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _digests, groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
