using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// mode(value, time), InfluxQL's: the most frequent non-null value of each group. Ties are broken as InfluxDB 1.x
/// (and IOx, which copied it) break them: walking the distinct values in ascending order (the smallest starts as the
/// mode), a value replaces the current mode when it occurs more often, or as often (at least twice) and its earliest
/// point is no later than the current mode's latest point. Per group it keeps one entry per distinct value (count, earliest and latest time).
/// </summary>
internal sealed class ModeAccumulator(ArrowType type) : IGroupsAccumulator
{
    private Dictionary<object, (long Count, long First, long Last)>?[] _groups = [];
    private int _groupCount;
    private long _entries;

    public long MemoryBytes => ((long)_groups.Length * 8) + (_entries * 96);

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, 2);
        Resize(groupCount);
        var ids = GroupRows.Apply(groupIds, filter);
        var values = arguments[0];
        var times = Columns.Int64Values(arguments[1]);
        var strings = Columns.IsString(values.Type) ? Columns.StringValues(values) : null;
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g < 0 || values.IsNull(i) || arguments[1].IsNull(i))
            {
                continue;
            }
            object key = strings is not null ? strings[i]! : CastExpr.ScalarAt(values, i)!;
            Add(g, key, 1, times[i], times[i]);
        }
    }

    private void Add(int g, object key, long count, long first, long last)
    {
        var map = _groups[g] ??= [];
        if (map.TryGetValue(key, out var e))
        {
            map[key] = (e.Count + count, Math.Min(e.First, first), Math.Max(e.Last, last));
        }
        else
        {
            map[key] = (count, first, last);
            _entries++;
        }
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (ModeAccumulator)other;
        GroupRows.CheckMapping(mapping, that._groupCount, groupCount);
        Resize(groupCount);
        for (var og = 0; og < that._groupCount; og++)
        {
            if (that._groups[og] is { } map)
            {
                foreach (var (key, e) in map)
                {
                    Add(mapping[og], key, e.Count, e.First, e.Last);
                }
            }
        }
    }

    public ArrowArray Evaluate()
    {
        var modes = new object?[_groupCount];
        for (var g = 0; g < _groupCount; g++)
        {
            if (_groups[g] is not { Count: > 0 } map)
            {
                continue;
            }
            object? mode = null;
            long freq = 0, last = 0;
            foreach (var key in map.Keys.Order(ValueComparer.Instance))
            {
                var e = map[key];
                // 1.x looks at a value's run only from its second point on: a value seen once never wins a tie.
                if (mode is null || e.Count > freq || (e.Count == freq && freq >= 2 && e.First <= last))
                {
                    mode = key;
                    freq = e.Count;
                    last = e.Last;
                }
            }
            modes[g] = mode;
        }
        return Build(modes);
    }

    private ArrowArray Build(object?[] modes)
    {
        var valid = modes.Select(m => m is not null).ToArray();
        switch (type.Id)
        {
            case ArrowTypeId.Float64:
                return Columns.FromValues(ArrowType.Float64, [.. modes.Select(m => m is double d ? d : 0)], valid);
            case ArrowTypeId.Int64:
                return Columns.FromValues(ArrowType.Int64, [.. modes.Select(m => m is long l ? l : 0)], valid);
            case ArrowTypeId.UInt64:
                return Columns.FromValues(ArrowType.UInt64, [.. modes.Select(m => m is ulong u ? u : 0)], valid);
            case ArrowTypeId.Boolean:
                return Columns.FromBools([.. modes.Select(m => m is bool b ? b : (bool?)null)]);
            default:
                return Columns.FromStrings([.. modes.Select(m => m as string)]);
        }
    }

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _groups, groupCount);
        _groupCount = Math.Max(_groupCount, groupCount);
    }

    /// <summary>Values of one column in ascending order: numbers numerically, strings by code unit, false before true.</summary>
    private sealed class ValueComparer : IComparer<object>
    {
        public static ValueComparer Instance { get; } = new();

        public int Compare(object? x, object? y) => (x, y) switch
        {
            (string a, string b) => string.CompareOrdinal(a, b),
            (bool a, bool b) => a.CompareTo(b),
            (long a, long b) => a.CompareTo(b),
            (ulong a, ulong b) => a.CompareTo(b),
            _ => System.Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture).CompareTo(System.Convert.ToDouble(y, System.Globalization.CultureInfo.InvariantCulture)),
        };
    }
}
