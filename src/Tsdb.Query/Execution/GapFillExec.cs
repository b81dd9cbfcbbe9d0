using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Plans;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Execution;

/// <summary>
/// Gap filling over an input sorted by (series keys, time), as IOx's GapFillExec: each series is walked together with
/// the bins FirstBin, FirstBin + stride, … LastBin; a bin without a row gets one (series keys copied, time the bin,
/// value columns filled by their strategy), rows are passed on in order. A series can span input batches, so the
/// rows of the series still open at the end of a batch are held (reserved from the query's pool) until its end is
/// seen; one series never holds more rows than it has bins. Output batches have at most the context's batch size.
/// </summary>
internal sealed class GapFillExec(ExecutionPlan input, int time, IReadOnlyList<int> series, IReadOnlyList<GapFillColumn> fills, long firstBin, long lastBin, long stride) : ExecutionPlan
{
    /// <summary>How each column is built; set from the fills when the operator runs.</summary>
    private readonly Kind[] _kinds = new Kind[input.Schema.FieldCount];

    public override Schema Schema => input.Schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() => GapFillPlan.Describe(input.Schema, time, series, fills, firstBin, lastBin, stride, "GapFillExec");

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        using var reservation = context.Memory.Reserve("GapFill");
        var strategies = Strategies();
        var open = new List<RecordBatch>();          // the rows of the series still open, one slice per input batch
        MergeKeyColumn[]? openKeys = null;           // that series' keys, in the batch of its last slice
        var openRow = 0;
        long held = 0;

        await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
        {
            if (batch.Length == 0)
            {
                continue;
            }
            var keys = new MergeKeyColumn[series.Count];
            for (var k = 0; k < keys.Length; k++)
            {
                keys[k] = MergeKeyColumn.Create(batch.Column(series[k]));
            }
            var runs = Runs(keys, batch.Length);
            var first = 0;
            if (open.Count > 0)
            {
                if (SameKeys(openKeys!, openRow, keys, 0))
                {
                    if (runs.Count == 1)
                    {
                        // The whole batch continues the open series: hold it and wait for the series' end.
                        open.Add(batch);
                        Hold(QueryMemoryPool.SizeOf(batch));
                        openKeys = keys;
                        openRow = batch.Length - 1;
                        continue;
                    }
                    open.Add(batch.Slice(0, runs[1]));
                    first = 1;
                }
                foreach (var output in Fill(Concatenate(open), [0], strategies, context.BatchSize))
                {
                    yield return output;
                }
                open.Clear();
                reservation.Shrink(held);
                held = 0;
            }
            // Series that end inside this batch are filled straight from it; the last one may go on in the next batch.
            var last = runs.Count - 1;
            if (last > first)
            {
                var complete = runs.GetRange(first, last - first + 1);
                var slice = batch.Slice(0, runs[last]);
                foreach (var output in Fill(slice, complete[..^1], strategies, context.BatchSize, complete[^1]))
                {
                    yield return output;
                }
            }
            if (last >= first)
            {
                var rest = batch.Slice(runs[last], batch.Length - runs[last]);
                open.Add(rest);
                Hold(QueryMemoryPool.SizeOf(rest));
                openKeys = keys;
                openRow = batch.Length - 1;
            }
        }
        if (open.Count > 0)
        {
            foreach (var output in Fill(Concatenate(open), [0], strategies, context.BatchSize))
            {
                yield return output;
            }
            reservation.Shrink(held);
        }

        void Hold(long bytes)
        {
            reservation.Grow(bytes);
            held += bytes;
            Metrics.PeakMemory = Math.Max(Metrics.PeakMemory, held);
        }
    }

    /// <summary>The strategy of every input column (time and series keys are not filled: Null is never read for them).</summary>
    private GapFillColumn[] Strategies()
    {
        var result = new GapFillColumn[input.Schema.FieldCount];
        for (var c = 0; c < result.Length; c++)
        {
            result[c] = new GapFillColumn(c, GapFillStrategy.Null);
            _kinds[c] = c == time ? Kind.Time : series.Contains(c) ? Kind.Key : Kind.Take;
        }
        foreach (var f in fills)
        {
            result[f.Column] = f;
            // A constant for a string column (InfluxQL's fill(n) beside a string field) is taken from one extra row.
            var numeric = Columns.IsNumeric(input.Schema[f.Column].Type) || input.Schema[f.Column].Type.Id == ArrowTypeId.Timestamp;
            _kinds[f.Column] = f.Strategy is GapFillStrategy.Interpolate || (f.Strategy is GapFillStrategy.Default && numeric) ? Kind.Number : Kind.Take;
        }
        return result;
    }

    /// <summary>Where each series of the batch starts (row 0 always), by comparing neighbouring rows' keys.</summary>
    private static List<int> Runs(MergeKeyColumn[] keys, int length)
    {
        var starts = new List<int> { 0 };
        for (var r = 1; r < length; r++)
        {
            if (!SameKeys(keys, r - 1, keys, r))
            {
                starts.Add(r);
            }
        }
        return starts;
    }

    private static bool SameKeys(MergeKeyColumn[] a, int rowA, MergeKeyColumn[] b, int rowB)
    {
        for (var k = 0; k < a.Length; k++)
        {
            if (MergeKeyColumn.Compare(a[k], rowA, b[k], rowB, descending: false, nullsFirst: false) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private RecordBatch Concatenate(List<RecordBatch> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }
        var columns = new ArrowArray[input.Schema.FieldCount];
        var length = 0;
        foreach (var p in parts)
        {
            length += p.Length;
        }
        for (var c = 0; c < columns.Length; c++)
        {
            var data = new ArrayData[parts.Count];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = parts[i].Column(c).Data;
            }
            columns[c] = ArrowArray.Create(ArrayConcatenation.Concatenate(data));
        }
        return new RecordBatch(parts[0].Schema, columns, length);
    }

    /// <summary>
    /// The gap-filled rows of the series of <paramref name="source"/> that start at <paramref name="starts"/> (each
    /// ends where the next starts, the last at <paramref name="end"/> or the end of the batch).
    /// </summary>
    private IEnumerable<RecordBatch> Fill(RecordBatch source, IReadOnlyList<int> starts, GapFillColumn[] strategies, int batchSize, int end = -1)
    {
        var n = end < 0 ? source.Length : end;
        var times = source.Column(time).Data;
        var timeValues = times.GetValues<long>().ToArray();
        // No more rows than the input's plus one per bin per series: a small answer (an hour by the minute) does not
        // allocate a whole batch's arrays.
        var bound = n + (double)GapFillPlan.BinCount(firstBin, lastBin, stride) * Math.Max(1, starts.Count);
        var output = new Output(source, strategies, _kinds, (int)Math.Clamp(bound, 1, Math.Max(1, batchSize)));
        // For interpolation: the next row at or after each row whose value is not null, within its series.
        var next = new int[strategies.Length][];
        foreach (var f in strategies)
        {
            if (f.Strategy == GapFillStrategy.Interpolate)
            {
                next[f.Column] = new int[n];
            }
        }
        var previous = new int[strategies.Length];
        for (var s = 0; s < starts.Count; s++)
        {
            var from = starts[s];
            var to = s + 1 < starts.Count ? starts[s + 1] : n;
            foreach (var f in strategies)
            {
                if (f.Strategy == GapFillStrategy.Interpolate)
                {
                    var column = source.Column(f.Column).Data;
                    var following = -1;
                    for (var r = to - 1; r >= from; r--)
                    {
                        if (!column.IsNull(r) && !times.IsNull(r))
                        {
                            following = r;
                        }
                        next[f.Column][r] = following;
                    }
                }
                previous[f.Column] = -1;
            }

            var row = from;
            var bin = firstBin;
            var binsLeft = lastBin >= firstBin;
            while (row < to || binsLeft)
            {
                if (row < to && (times.IsNull(row) || !binsLeft || timeValues[row] <= bin))
                {
                    // A row of the input: null times first (sorted so), rows before the next bin, the bin's own row.
                    var timeNull = times.IsNull(row);
                    if (!timeNull && binsLeft && timeValues[row] == bin)
                    {
                        binsLeft = Advance(ref bin);
                    }
                    output.Present(row, timeNull, previous, next, timeValues);
                    row++;
                }
                else
                {
                    output.Missing(bin, from, row < to ? row : -1, previous, next, timeValues);
                    binsLeft = Advance(ref bin);
                }
                if (output.Count == output.Capacity)
                {
                    yield return output.Flush();
                }
            }
        }
        if (output.Count > 0)
        {
            yield return output.Flush();
        }
    }

    /// <summary>The next bin, or false past the last one (without overflowing near the end of time).</summary>
    private bool Advance(ref long bin)
    {
        if (lastBin - bin < stride)
        {
            return false;
        }
        bin += stride;
        return true;
    }

    /// <summary>How the operator builds one output column.</summary>
    private enum Kind
    {
        /// <summary>The time column: the row's time or the bin.</summary>
        Time,

        /// <summary>A series key: taken from any row of the series.</summary>
        Key,

        /// <summary>Taken from a source row chosen by the strategy (null, locf); -1 gives null.</summary>
        Take,

        /// <summary>Computed values (interpolate, default): 64-bit numbers kept as their raw bits.</summary>
        Number,
    }

    /// <summary>
    /// One output batch being built: the source rows of key and taken columns, the time values, and the raw 64-bit
    /// values of computed columns (an Int64, UInt64 or Float64 array's bytes, so a copied value stays exact).
    /// </summary>
    private sealed class Output
    {
        private readonly RecordBatch _source;
        private readonly GapFillColumn[] _strategies;
        private readonly Kind[] _kinds;
        private readonly int[] _keyRows;
        private readonly long[] _times;
        private readonly bool[] _timeValid;
        private readonly int[]?[] _take;
        private readonly long[]?[] _raw;
        private readonly bool[]?[] _valid;
        private readonly long[]?[] _sourceRaw;

        public Output(RecordBatch source, GapFillColumn[] strategies, Kind[] kinds, int capacity)
        {
            _source = source;
            _strategies = strategies;
            _kinds = kinds;
            Capacity = capacity;
            _keyRows = new int[capacity];
            _times = new long[capacity];
            _timeValid = new bool[capacity];
            _take = new int[kinds.Length][];
            _raw = new long[kinds.Length][];
            _valid = new bool[kinds.Length][];
            _sourceRaw = new long[kinds.Length][];
            for (var c = 0; c < kinds.Length; c++)
            {
                switch (kinds[c])
                {
                    case Kind.Take:
                        _take[c] = new int[capacity];
                        break;
                    case Kind.Number:
                        _raw[c] = new long[capacity];
                        _valid[c] = new bool[capacity];
                        _sourceRaw[c] = source.Column(c).Data.GetValues<long>().ToArray();
                        break;
                }
            }
        }

        public int Capacity { get; }

        public int Count { get; private set; }

        /// <summary>An input row; <paramref name="previous"/> (last non-null row per column) moves on past it.</summary>
        public void Present(int row, bool timeNull, int[] previous, int[]?[] next, long[] times)
        {
            var at = Count++;
            _keyRows[at] = row;
            _times[at] = times[row];
            _timeValid[at] = !timeNull;
            for (var c = 0; c < _kinds.Length; c++)
            {
                if (_kinds[c] is Kind.Time or Kind.Key)
                {
                    continue;
                }
                var valid = !_source.Column(c).IsNull(row);
                var strategy = _strategies[c].Strategy;
                if (valid && !timeNull && strategy is GapFillStrategy.Locf or GapFillStrategy.Interpolate)
                {
                    previous[c] = row;
                }
                // A row without a time has no place on the line: it is passed on as it is.
                var keep = valid || timeNull || strategy is GapFillStrategy.Null or GapFillStrategy.Default;
                if (_kinds[c] == Kind.Take)
                {
                    _take[c]![at] = keep ? row : previous[c];
                }
                else if (keep)
                {
                    _valid[c]![at] = valid;
                    _raw[c]![at] = _sourceRaw[c]![row];
                }
                else
                {
                    Interpolate(c, at, previous[c], next[c]![row], times[row], times);
                }
            }
        }

        /// <summary>A bin without a row; <paramref name="nextRow"/> is the series' next input row (-1 at its end).</summary>
        public void Missing(long bin, int keyRow, int nextRow, int[] previous, int[]?[] next, long[] times)
        {
            var at = Count++;
            _keyRows[at] = keyRow;
            _times[at] = bin;
            _timeValid[at] = true;
            for (var c = 0; c < _kinds.Length; c++)
            {
                var f = _strategies[c];
                switch (f.Strategy)
                {
                    case GapFillStrategy.Null when _kinds[c] == Kind.Take:
                        _take[c]![at] = -1;
                        break;
                    case GapFillStrategy.Locf:
                        _take[c]![at] = previous[c];
                        break;
                    case GapFillStrategy.Default when _kinds[c] == Kind.Take:
                        _take[c]![at] = f.Value is null ? -1 : _source.Length;   // the row after the source's: the constant
                        break;
                    case GapFillStrategy.Default:
                        _valid[c]![at] = f.Value is not null;
                        _raw[c]![at] = Raw(f.Value);
                        break;
                    case GapFillStrategy.Interpolate:
                        Interpolate(c, at, previous[c], nextRow < 0 ? -1 : next[c]![nextRow], bin, times);
                        break;
                }
            }
        }

        private static long Raw(object? value) => value switch
        {
            long l => l,
            ulong u => unchecked((long)u),
            double d => BitConverter.DoubleToInt64Bits(d),
            _ => 0,
        };

        /// <summary>
        /// The value at <paramref name="t"/> on the line through rows <paramref name="before"/> and
        /// <paramref name="after"/> (null when either is missing), as IOx and InfluxQL 1.x compute it: in doubles,
        /// integers truncated toward zero.
        /// </summary>
        private void Interpolate(int c, int at, int before, int after, long t, long[] times)
        {
            if (before < 0 || after < 0)
            {
                _valid[c]![at] = false;
                return;
            }
            var raw = _sourceRaw[c]!;
            var run = (double)(times[after] - times[before]);
            var x = (double)(t - times[before]);
            _valid[c]![at] = true;
            switch (_source.Schema[c].Type.Id)
            {
                case ArrowTypeId.Float64:
                {
                    var y0 = BitConverter.Int64BitsToDouble(raw[before]);
                    var y1 = BitConverter.Int64BitsToDouble(raw[after]);
                    _raw[c]![at] = BitConverter.DoubleToInt64Bits((((y1 - y0) / run) * x) + y0);
                    break;
                }
                case ArrowTypeId.UInt64:
                {
                    var y0 = unchecked((ulong)raw[before]);
                    var y1 = unchecked((ulong)raw[after]);
                    var rise = y1 >= y0 ? (double)(y1 - y0) : -(double)(y0 - y1);
                    _raw[c]![at] = unchecked((long)(ulong)(((rise / run) * x) + y0));
                    break;
                }
                default:
                {
                    var y0 = raw[before];
                    var y1 = raw[after];
                    _raw[c]![at] = (long)((((y1 - (double)y0) / run) * x) + y0);
                    break;
                }
            }
        }

        /// <summary>The source column, followed by its fill constant when it has one that is not a number.</summary>
        private ArrowArray WithConstant(int c)
        {
            var column = _source.Column(c);
            if (_strategies[c] is not { Strategy: GapFillStrategy.Default, Value: { } value })
            {
                return column;
            }
            var constant = Columns.Constant(value, 1);
            return constant.Type.Equals(column.Type)
                ? ArrowArray.Create(ArrayConcatenation.Concatenate(column.Data, constant.Data))
                : throw new QueryException($"fill value {value} does not fit column {_source.Schema[c].Name} of type {Kernels.TypeName(column.Type)}");
        }

        public RecordBatch Flush()
        {
            var n = Count;
            var columns = new ArrowArray[_kinds.Length];
            for (var c = 0; c < columns.Length; c++)
            {
                var type = _source.Schema[c].Type;
                columns[c] = _kinds[c] switch
                {
                    Kind.Time => Columns.FromValues(type, _times[..n], _timeValid.AsSpan(0, n).Contains(false) ? _timeValid[..n] : null),
                    Kind.Key => Selection.Take(_source.Column(c), _keyRows.AsSpan(0, n)),
                    Kind.Take => Selection.Take(WithConstant(c), _take[c].AsSpan(0, n)),
                    _ => Columns.FromValues(type, _raw[c]![..n], _valid[c]![..n]),
                };
            }
            Count = 0;
            return new RecordBatch(_source.Schema, columns, n);
        }
    }
}
