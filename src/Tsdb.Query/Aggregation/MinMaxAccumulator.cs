using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// min(x)/max(x) over numbers, timestamps, booleans and strings (tags included), in the input's type (tags come back as
/// utf8). NULLs are skipped; an all-NULL group is NULL. On ties the earlier value stays (this accumulator's groups come
/// before a merged one's), which is only visible for 0.0 against -0.0.
/// </summary>
internal sealed class MinMaxAccumulator : IGroupsAccumulator
{
    private readonly GroupValues _values;
    private readonly bool _max;
    private int _groups;

    public MinMaxAccumulator(GroupValues values, bool max)
    {
        _values = values;
        _max = max;
    }

    public long MemoryBytes => _values.MemoryBytes;

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, 1);
        Resize(groupCount);
        _values.MinMax(arguments[0], GroupRows.Apply(groupIds, filter), _max);
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (MinMaxAccumulator)other;
        GroupRows.CheckMapping(mapping, that._groups, groupCount);
        Resize(groupCount);
        for (var og = 0; og < that._groups; og++)
        {
            if (that._values.IsNull(og))
            {
                continue;
            }
            var g = mapping[og];
            if (_values.IsNull(g) || (_max ? _values.CompareGroup(g, that._values, og) < 0 : _values.CompareGroup(g, that._values, og) > 0))
            {
                _values.SetGroup(g, that._values, og);
            }
        }
    }

    public ArrowArray Evaluate() => _values.Build(_groups);

    private void Resize(int groupCount)
    {
        _values.Resize(groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
