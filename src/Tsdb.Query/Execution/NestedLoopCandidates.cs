using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Execution;

/// <summary>Every (probe row, build row) pair, probe row by probe row.</summary>
internal sealed class NestedLoopCandidates(int buildLength) : IJoinCandidates
{
    private int _length;
    private int _row;
    private int _position;

    public bool Exhausted => _row >= _length;

    public void BeginBatch(RecordBatch probe)
    {
        _length = probe.Length;
        _row = 0;
        _position = 0;
    }

    public void Release() => _length = 0;

    public int Fill(int[] probeRows, int[] buildRows, int at, int capacity, bool[]? skip, bool firstOnly)
    {
        var count = 0;
        while (_row < _length && count < capacity)
        {
            if (buildLength == 0 || (skip is not null && skip[_row]))
            {
                _row++;
                _position = 0;
                continue;
            }
            var take = firstOnly ? 1 : Math.Min(buildLength - _position, capacity - count);
            probeRows.AsSpan(at + count, take).Fill(_row);
            var target = buildRows.AsSpan(at + count, take);
            for (var i = 0; i < target.Length; i++)
            {
                target[i] = _position + i;
            }
            count += take;
            _position += take;
            if (firstOnly || _position == buildLength)
            {
                _row++;
                _position = 0;
            }
        }
        return count;
    }
}
