using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>count(x) (the non-null values) and count(*) (every row: no arguments). Empty groups count 0, never NULL.</summary>
internal sealed class CountAccumulator : IGroupsAccumulator
{
    private readonly bool _star;
    private long[] _counts = [];
    private int _groups;

    public CountAccumulator(bool star) => _star = star;

    public long MemoryBytes => (long)_counts.Length * sizeof(long);

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, _star ? 0 : 1);
        Resize(groupCount);
        var ids = GroupRows.Apply(groupIds, filter);
        var counts = _counts;
        if (_star)
        {
            foreach (var g in ids)
            {
                if (g >= 0)
                {
                    counts[g]++;
                }
            }
            return;
        }
        var input = arguments[0];
        if (input.Type.Id == ArrowTypeId.Null)
        {
            return;   // every value is NULL (and a Null array has no validity bitmap to say so)
        }
        var validity = input.NullCount == 0 ? default : input.Data.Validity;
        var offset = input.Data.Offset;
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g >= 0 && (validity.IsEmpty || BitUtil.GetBit(validity, offset + i)))
            {
                counts[g]++;
            }
        }
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (CountAccumulator)other;
        GroupRows.CheckMapping(mapping, that._groups, groupCount);
        Resize(groupCount);
        for (var g = 0; g < that._groups; g++)
        {
            _counts[mapping[g]] += that._counts[g];
        }
    }

    public ArrowArray Evaluate() => Columns.FromValues(ArrowType.Int64, _counts[.._groups], null);

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _counts, groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
