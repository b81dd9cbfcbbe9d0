using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Execution;

/// <summary>
/// The operator of <see cref="SeriesTransformPlan"/>: one pass over input sorted by series then time, state carried
/// per column from row to row (and across batches) and reset at each new series. It holds no rows, so it streams.
/// </summary>
internal sealed class SeriesTransformExec(
    ExecutionPlan input,
    IReadOnlyList<int> seriesKeys,
    int time,
    IReadOnlyList<SeriesTransform> transforms,
    IReadOnlyList<int> requireAnyOf,
    long offset,
    long? limit,
    long seriesOffset,
    long? seriesLimit,
    long? emitFrom = null) : ExecutionPlan
{
    public override Schema Schema { get; } = SeriesTransformPlan.OutputSchema(input.Schema, transforms);

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() =>
        SeriesTransformPlan.Describe(input.Schema, seriesKeys, transforms, requireAnyOf, offset, limit, seriesOffset, seriesLimit, "SeriesTransformExec");

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        var active = transforms.Where(t => t.Function != SeriesFunction.None).ToArray();
        var states = active.Select(t => new ColumnState(t, input.Schema[t.Column].Type.IsInteger)).ToArray();
        var stateOf = new Dictionary<int, int>();
        for (var i = 0; i < active.Length; i++)
        {
            stateOf[active[i].Column] = i;
        }
        string? currentKey = null;
        long seriesIndex = -1;
        long rowInSeries = 0;
        var sb = new StringBuilder();
        await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
        {
            var n = batch.Length;
            var keyColumns = seriesKeys.Select(k => Columns.StringValues(batch.Column(k))).ToArray();
            var times = Columns.Int64Values(batch.Column(time));
            foreach (var s in states)
            {
                s.Load(batch.Column(s.Transform.Column));
            }
            var requireArrays = requireAnyOf.Select(c => stateOf.TryGetValue(c, out var si) ? (ArrowArray?)null : batch.Column(c)).ToArray();
            var keep = new List<int>(n);
            var done = false;
            for (var row = 0; row < n; row++)
            {
                sb.Clear();
                foreach (var k in keyColumns)
                {
                    sb.Append(k[row] ?? "\u0000").Append('\u0001');
                }
                var key = sb.ToString();
                if (key != currentKey)
                {
                    currentKey = key;
                    seriesIndex++;
                    rowInSeries = 0;
                    foreach (var s in states)
                    {
                        s.Reset();
                    }
                }
                if (seriesIndex < seriesOffset)
                {
                    continue;
                }
                if (seriesLimit is { } sl && seriesIndex >= seriesOffset + sl)
                {
                    done = true;
                    break;
                }
                foreach (var s in states)
                {
                    s.Step(row, times[row]);
                }
                if (emitFrom is { } first && times[row] < first)
                {
                    foreach (var s in states)
                    {
                        s.DropLast();
                    }
                    continue;
                }
                if (requireAnyOf.Count > 0)
                {
                    var any = false;
                    for (var r = 0; r < requireAnyOf.Count && !any; r++)
                    {
                        any = requireArrays[r] is { } a ? !a.IsNull(row) : states[stateOf[requireAnyOf[r]]].LastValid;
                    }
                    if (!any)
                    {
                        foreach (var s in states)
                        {
                            s.DropLast();
                        }
                        continue;
                    }
                }
                var position = rowInSeries++;
                if (position < offset || (limit is { } l && position >= offset + l))
                {
                    foreach (var s in states)
                    {
                        s.DropLast();
                    }
                    continue;
                }
                keep.Add(row);
            }
            if (keep.Count > 0)
            {
                var taken = Selection.Take(batch, keep.ToArray());
                var columns = taken.Columns.ToArray();
                foreach (var s in states)
                {
                    columns[s.Transform.Column] = s.Build();
                }
                yield return new RecordBatch(Schema, columns, keep.Count);
            }
            foreach (var s in states)
            {
                s.Clear();
            }
            if (done)
            {
                yield break;
            }
        }
    }

    /// <summary>One transformed column: the previous value and time of its series, and the results of the kept rows.</summary>
    private sealed class ColumnState(SeriesTransform transform, bool integer)
    {
        public SeriesTransform Transform { get; } = transform;

        private readonly bool _integerResult = transform.ResultType(integer ? ArrowType.Int64 : ArrowType.Float64).IsInteger;
        private readonly Queue<double> _window = new();
        private ArrowArray? _array;
        private double[]? _doubles;
        private long[]? _longs;
        private bool _hasPrevious;
        private double _previous;
        private long _previousLong;
        private long _previousTime;
        private double _sum;
        private long _sumLong;
        private readonly List<double> _outDoubles = [];
        private readonly List<long> _outLongs = [];
        private readonly List<bool> _valid = [];

        public bool LastValid { get; private set; }

        public void Load(ArrowArray array)
        {
            _array = array;
            if (integer)
            {
                _longs = Columns.Int64Values(array);
                _doubles = null;
            }
            else
            {
                _doubles = Columns.DoubleValues(array);
                _longs = null;
            }
        }

        public void Reset()
        {
            _hasPrevious = false;
            _sum = 0;
            _sumLong = 0;
            _window.Clear();
        }

        public void Step(int row, long time)
        {
            LastValid = false;
            double d = 0;
            long l = 0;
            if (!_array!.IsNull(row))
            {
                var v = integer ? _longs![row] : _doubles![row];
                var vl = integer ? _longs![row] : 0;
                switch (Transform.Function)
                {
                    case SeriesFunction.Derivative or SeriesFunction.NonNegativeDerivative:
                        if (_hasPrevious && time != _previousTime)
                        {
                            // Walking in descending time, 1.x divides by the elapsed time as a positive span.
                            d = (v - _previous) / ((double)Math.Abs(time - _previousTime) / Transform.Unit);
                            LastValid = Transform.Function == SeriesFunction.Derivative || d >= 0;
                        }
                        break;
                    case SeriesFunction.Difference or SeriesFunction.NonNegativeDifference:
                        if (_hasPrevious)
                        {
                            d = v - _previous;
                            l = vl - _previousLong;
                            LastValid = Transform.Function == SeriesFunction.Difference || (integer ? l >= 0 : d >= 0);
                        }
                        break;
                    case SeriesFunction.Elapsed:
                        if (_hasPrevious)
                        {
                            l = (time - _previousTime) / Transform.Unit;
                            LastValid = true;
                        }
                        break;
                    case SeriesFunction.MovingAverage:
                        _window.Enqueue(v);
                        if (_window.Count > Transform.N)
                        {
                            _window.Dequeue();
                        }
                        if (_window.Count == Transform.N)
                        {
                            // Summed afresh rather than kept running, so float error does not build up along a long series.
                            d = 0;
                            foreach (var w in _window)
                            {
                                d += w;
                            }
                            d /= Transform.N;
                            LastValid = true;
                        }
                        break;
                    case SeriesFunction.CumulativeSum:
                        _sum += v;
                        _sumLong += vl;
                        d = _sum;
                        l = _sumLong;
                        LastValid = true;
                        break;
                }
                _hasPrevious = true;
                _previous = v;
                _previousLong = vl;
                _previousTime = time;
            }
            _outDoubles.Add(d);
            _outLongs.Add(l);
            _valid.Add(LastValid);
        }

        public void DropLast()
        {
            _outDoubles.RemoveAt(_outDoubles.Count - 1);
            _outLongs.RemoveAt(_outLongs.Count - 1);
            _valid.RemoveAt(_valid.Count - 1);
        }

        public ArrowArray Build()
        {
            var valid = _valid.ToArray();
            return _integerResult
                ? Columns.FromValues(ArrowType.Int64, _outLongs.ToArray(), valid)
                : Columns.FromValues(ArrowType.Float64, _outDoubles.ToArray(), valid);
        }

        public void Clear()
        {
            _outDoubles.Clear();
            _outLongs.Clear();
            _valid.Clear();
        }
    }
}
