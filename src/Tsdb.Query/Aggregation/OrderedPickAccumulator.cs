using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// The value of each group's first or last row in an order: first_value/last_value(x ORDER BY k…) and the selectors.
/// Today's engine stably sorts the rows by the keys and takes the first or last row of each group; keeping the winner
/// per group gives the same row in one pass: a row replaces the first-wins winner only when it orders strictly before
/// it (ties keep the earlier row), and the last-wins winner when it orders at or after it (ties take the later row).
/// Rows of a merged accumulator count as coming after this one's. With no keys, first is the first row and last the
/// last.
/// <para>
/// first_value/last_value keep NULL values and order NULL keys as the call says. The selectors order by one key (the
/// time for selector_first/last, the value for selector_min/max) ascending and skip rows whose value or key is NULL,
/// and rows whose float64 key is NaN, as today.
/// </para>
/// </summary>
internal sealed class OrderedPickAccumulator : IGroupsAccumulator
{
    private readonly int _outputArgument;
    private readonly GroupValues _output;
    private readonly bool _outputIsKey;
    private readonly GroupValues[] _keys;
    private readonly int[] _keyArguments;
    private readonly (bool Descending, bool NullsFirst)[] _order;
    private readonly bool _last;
    private readonly int _skipNullArgument;
    private readonly bool _skipNaNKey;
    private readonly bool _skipNullKeys;
    private readonly int _argumentCount;
    private bool[] _has = [];
    private int _groups;

    /// <param name="outputArgument">The argument whose value is returned.</param>
    /// <param name="keyArguments">The arguments ordered by, in priority order, with their direction in <paramref name="order"/>.</param>
    /// <param name="skipNullArgument">The selectors' value argument (rows where it is NULL are skipped), or -1.</param>
    /// <param name="selector">The selector rules: rows with a NULL key are skipped, and with a NaN float64 key.</param>
    public OrderedPickAccumulator(
        IReadOnlyList<ArrowType> argumentTypes,
        int outputArgument,
        int[] keyArguments,
        (bool Descending, bool NullsFirst)[] order,
        bool last,
        int skipNullArgument,
        bool selector)
    {
        _outputArgument = outputArgument;
        _keyArguments = keyArguments;
        _order = order;
        _last = last;
        _skipNullArgument = skipNullArgument;
        _keys = new GroupValues[keyArguments.Length];
        for (var k = 0; k < keyArguments.Length; k++)
        {
            _keys[k] = GroupValues.Create(argumentTypes[keyArguments[k]]);
        }
        // selector_min/max return the key itself: one store serves both.
        var shared = Array.IndexOf(keyArguments, outputArgument);
        _outputIsKey = shared >= 0;
        _output = _outputIsKey ? _keys[shared] : GroupValues.Create(argumentTypes[outputArgument]);
        _skipNaNKey = selector && keyArguments.Length == 1 && argumentTypes[keyArguments[0]].Id == ArrowTypeId.Float64;
        _skipNullKeys = selector;
        _argumentCount = Math.Max(outputArgument, skipNullArgument) + 1;
        foreach (var k in keyArguments)
        {
            _argumentCount = Math.Max(_argumentCount, k + 1);
        }
    }

    public long MemoryBytes
    {
        get
        {
            var bytes = (long)_has.Length;
            foreach (var key in _keys)
            {
                bytes += key.MemoryBytes;
            }
            return _outputIsKey ? bytes : bytes + _output.MemoryBytes;
        }
    }

    public void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter)
    {
        GroupRows.CheckLengths(arguments, groupIds.Length, _argumentCount);
        Resize(groupCount);
        var ids = GroupRows.Apply(groupIds, filter);
        _output.Load(arguments[_outputArgument]);
        for (var k = 0; k < _keys.Length; k++)
        {
            _keys[k].Load(arguments[_keyArguments[k]]);
        }
        var skipNull = _skipNullArgument >= 0 ? arguments[_skipNullArgument] : null;
        var nanKey = _skipNaNKey ? arguments[_keyArguments[0]].Data.GetValues<double>() : default;
        for (var row = 0; row < ids.Length; row++)
        {
            var g = ids[row];
            if (g < 0 || (skipNull is not null && skipNull.IsNull(row)))
            {
                continue;
            }
            if (_skipNullKeys && (_keys[0].RowIsNull(row) || (_skipNaNKey && double.IsNaN(nanKey[row]))))
            {
                continue;
            }
            if (!_has[g] || (_keys.Length == 0 ? _last : Wins(CompareRow(row, g))))
            {
                for (var k = 0; k < _keys.Length; k++)
                {
                    _keys[k].SetRow(g, row);
                }
                if (!_outputIsKey)
                {
                    _output.SetRow(g, row);
                }
                _has[g] = true;
            }
        }
    }

    public void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount)
    {
        var that = (OrderedPickAccumulator)other;
        GroupRows.CheckMapping(mapping, that._groups, groupCount);
        Resize(groupCount);
        for (var og = 0; og < that._groups; og++)
        {
            if (!that._has[og])
            {
                continue;
            }
            var g = mapping[og];
            if (!_has[g] || (_keys.Length == 0 ? _last : Wins(-CompareGroup(g, that, og))))
            {
                for (var k = 0; k < _keys.Length; k++)
                {
                    _keys[k].SetGroup(g, that._keys[k], og);
                }
                if (!_outputIsKey)
                {
                    _output.SetGroup(g, that._output, og);
                }
                _has[g] = true;
            }
        }
    }

    public ArrowArray Evaluate() => _output.Build(_groups);

    /// <summary>Whether a newcomer that compares <paramref name="comparison"/> against the current winner replaces it.</summary>
    private bool Wins(int comparison) => _last ? comparison >= 0 : comparison < 0;

    /// <summary>The row against the group's winner in the ORDER BY order (NULL keys placed as asked, whatever the direction).</summary>
    private int CompareRow(int row, int group)
    {
        for (var k = 0; k < _keys.Length; k++)
        {
            var key = _keys[k];
            var rowNull = key.RowIsNull(row);
            var groupNull = key.IsNull(group);
            int c;
            if (rowNull || groupNull)
            {
                if (rowNull == groupNull)
                {
                    continue;
                }
                c = rowNull == _order[k].NullsFirst ? -1 : 1;
            }
            else
            {
                c = key.CompareRow(row, group);
                if (_order[k].Descending)
                {
                    c = -c;
                }
            }
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    }

    /// <summary>This group's winner against the other accumulator's, in the ORDER BY order.</summary>
    private int CompareGroup(int group, OrderedPickAccumulator other, int otherGroup)
    {
        for (var k = 0; k < _keys.Length; k++)
        {
            var mine = _keys[k].IsNull(group);
            var theirs = other._keys[k].IsNull(otherGroup);
            int c;
            if (mine || theirs)
            {
                if (mine == theirs)
                {
                    continue;
                }
                c = mine == _order[k].NullsFirst ? -1 : 1;
            }
            else
            {
                c = _keys[k].CompareGroup(group, other._keys[k], otherGroup);
                if (_order[k].Descending)
                {
                    c = -c;
                }
            }
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    }

    private void Resize(int groupCount)
    {
        GroupRows.Grow(ref _has, groupCount);
        foreach (var key in _keys)
        {
            key.Resize(groupCount);
        }
        _output.Resize(groupCount);
        _groups = Math.Max(_groups, groupCount);
    }
}
