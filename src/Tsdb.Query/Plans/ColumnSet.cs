using System.Collections;
using System.Numerics;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>
/// A set of column positions as a bit set, enumerated in ascending order: what column pruning asks of each plan node.
/// Pruning builds one or two per node of every query, and a sorted tree set (a node object per column) cost more
/// than the rest of optimising a small query.
/// </summary>
internal sealed class ColumnSet : IEnumerable<int>
{
    private ulong[] _words;

    public ColumnSet() => _words = [];

    private ColumnSet(ulong[] words, int count) => (_words, Count) = (words, count);

    /// <summary>Positions 0 to <paramref name="count"/> - 1.</summary>
    public static ColumnSet Range(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var set = new ColumnSet();
        for (var i = 0; i < count; i++)
        {
            set.Add(i);
        }
        return set;
    }

    public int Count { get; private set; }

    public ColumnSet Copy() => new([.. _words], Count);

    /// <summary>The positions below <paramref name="limit"/>.</summary>
    public ColumnSet Below(int limit)
    {
        var set = new ColumnSet();
        foreach (var i in this)
        {
            if (i >= limit)
            {
                break;
            }
            set.Add(i);
        }
        return set;
    }

    public bool Contains(int column) =>
        column >= 0 && column >> 6 < _words.Length && (_words[column >> 6] & (1UL << column)) != 0;

    /// <summary>Adds a position; false when it was there already.</summary>
    public bool Add(int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        var word = column >> 6;
        if (word >= _words.Length)
        {
            Array.Resize(ref _words, Math.Max(word + 1, _words.Length * 2));
        }
        var bit = 1UL << column;
        if ((_words[word] & bit) != 0)
        {
            return false;
        }
        _words[word] |= bit;
        Count++;
        return true;
    }

    /// <summary>Adds every column <paramref name="e"/> reads.</summary>
    public void AddColumnsOf(Expr e)
    {
        if (e is ColumnExpr c)
        {
            Add(c.Index);
            return;
        }
        var children = e.Children;
        for (var i = 0; i < children.Count; i++)
        {
            AddColumnsOf(children[i]);
        }
    }

    public Enumerator GetEnumerator() => new(_words);

    IEnumerator<int> IEnumerable<int>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Ascending positions; the set must not change while enumerated.</summary>
    public struct Enumerator(ulong[] words) : IEnumerator<int>
    {
        private int _word = -1;
        private ulong _rest;

        public int Current { get; private set; } = -1;

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            while (_rest == 0)
            {
                if (++_word >= words.Length)
                {
                    return false;
                }
                _rest = words[_word];
            }
            Current = (_word << 6) + BitOperations.TrailingZeroCount(_rest);
            _rest &= _rest - 1;
            return true;
        }

        public void Reset() => (_word, _rest, Current) = (-1, 0, -1);

        public readonly void Dispose()
        {
        }
    }
}
