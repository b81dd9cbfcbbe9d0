using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// The probe loop shared by the hash and nested-loop joins: pulls candidate pairs in chunks of at most the batch
/// size, keeps those the residual condition accepts, tracks which rows of either side matched, and gathers output
/// batches of at most the batch size as it goes. Nothing is held across probe batches but the build side, the
/// matched-build bitmap and fixed-size buffers, so an output of any size streams in bounded memory.
/// </summary>
internal sealed class JoinProbe
{
    private readonly JoinType _type;
    private readonly Func<RecordBatch, BooleanArray>? _residual;
    private readonly int _batchSize;
    private readonly Schema _left;
    private readonly Schema _right;
    private readonly Schema _output;
    private readonly Schema _pairs;
    private RecordBatch? _build;
    private readonly int _buildLength;
    private readonly IJoinCandidates _candidates;
    private readonly JoinMemory _memory;
    private readonly int[] _outLeft;
    private readonly int[] _outRight;
    private readonly int[] _candidateLeft;
    private readonly int[] _candidateRight;
    private readonly byte[]? _buildMatched;
    private bool[] _probeMatched = [];
    private int _outCount;
    private long _outputRows;
    private int _started;

    public JoinProbe(JoinType type, Func<RecordBatch, BooleanArray>? residual, int batchSize, Schema left, Schema right, RecordBatch? build, IJoinCandidates candidates, JoinMemory memory)
    {
        _type = type;
        _residual = residual;
        _batchSize = batchSize;
        _left = left;
        _right = right;
        _output = JoinColumns.OutputSchema(left, right, type);
        _pairs = type is JoinType.LeftSemi or JoinType.LeftAnti ? JoinColumns.PairSchema(left, right) : _output;
        _build = build;
        _buildLength = build?.Length ?? 0;
        _candidates = candidates;
        _memory = memory;
        // Fixed for the whole probe, so reserved up front: the reservation does not move while output streams.
        var pairBuffers = residual is null ? 2 : 4;
        memory.Grow((pairBuffers * 4L * batchSize) + (TracksBuild ? BitUtil.BytesFor(_buildLength) : 0));
        _outLeft = new int[batchSize];
        _outRight = new int[batchSize];
        _candidateLeft = residual is null ? _outLeft : new int[batchSize];
        _candidateRight = residual is null ? _outRight : new int[batchSize];
        _buildMatched = TracksBuild ? new byte[BitUtil.BytesFor(_buildLength)] : null;
    }

    public Schema OutputSchema => _output;

    public long OutputRows => Interlocked.Read(ref _outputRows);

    private bool TracksBuild => _type is JoinType.Right or JoinType.Full;

    private bool TracksProbe => _type is not (JoinType.Inner or JoinType.Right or JoinType.Cross);

    private bool SemiOrAnti => _type is JoinType.LeftSemi or JoinType.LeftAnti;

    /// <summary>Streams the joined rows; gives the join's memory back when done, failed or abandoned.</summary>
    public async IAsyncEnumerable<RecordBatch> RunAsync(IAsyncEnumerable<RecordBatch> left, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(left);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("a join is probed once");
        }
        try
        {
            await foreach (var probe in left.WithCancellation(ct).ConfigureAwait(false))
            {
                ct.ThrowIfCancellationRequested();
                JoinColumns.Check(_left, probe, "left");
                if (probe.Length == 0)
                {
                    continue;
                }
                _candidates.BeginBatch(probe);
                if (TracksProbe)
                {
                    PrepareProbeMatched(probe.Length);
                }
                _outCount = 0;
                while (!_candidates.Exhausted)
                {
                    ct.ThrowIfCancellationRequested();
                    if (_residual is null)
                    {
                        if (SemiOrAnti)
                        {
                            // Existence is all that counts: one candidate per row.
                            var found = _candidates.Fill(_outLeft, _outRight, 0, _batchSize, null, firstOnly: true);
                            MarkProbe(_outLeft, found);
                            continue;
                        }
                        var n = _candidates.Fill(_outLeft, _outRight, _outCount, _batchSize - _outCount, null, firstOnly: false);
                        MarkPairs(_outCount, n);
                        _outCount += n;
                        if (_outCount == _batchSize)
                        {
                            yield return Emit(probe);
                        }
                        continue;
                    }
                    var candidates = _candidates.Fill(_candidateLeft, _candidateRight, 0, _batchSize, SemiOrAnti ? _probeMatched : null, firstOnly: false);
                    if (candidates == 0)
                    {
                        continue;
                    }
                    var pairs = Gather(probe, _candidateLeft, _candidateRight, candidates, _pairs, rightColumns: true);
                    var passed = KeepAccepted(_residual(pairs), candidates);
                    if (SemiOrAnti || passed == 0)
                    {
                        continue;
                    }
                    if (passed == candidates && _outCount == 0)
                    {
                        // Every candidate passed: the batch the residual saw is the output.
                        Interlocked.Add(ref _outputRows, passed);
                        yield return pairs;
                        continue;
                    }
                    for (var i = 0; i < passed;)
                    {
                        var take = Math.Min(passed - i, _batchSize - _outCount);
                        Array.Copy(_candidateLeft, i, _outLeft, _outCount, take);
                        Array.Copy(_candidateRight, i, _outRight, _outCount, take);
                        _outCount += take;
                        i += take;
                        if (_outCount == _batchSize)
                        {
                            yield return Emit(probe);
                        }
                    }
                }
                if (TracksProbe)
                {
                    // Left and full joins pad the unmatched probe rows; semi joins keep the matched, anti the rest.
                    var keep = _type == JoinType.LeftSemi;
                    for (var p = 0; p < probe.Length; p++)
                    {
                        if (_probeMatched[p] != keep)
                        {
                            continue;
                        }
                        _outLeft[_outCount] = p;
                        _outRight[_outCount] = -1;
                        if (++_outCount == _batchSize)
                        {
                            ct.ThrowIfCancellationRequested();
                            yield return Emit(probe);
                        }
                    }
                }
                if (_outCount > 0)
                {
                    yield return Emit(probe);
                }
            }
            if (TracksBuild)
            {
                // Right and full joins: the build rows no probe row matched, with nulls on the left.
                for (var b = 0; b < _buildLength; b++)
                {
                    if (BitUtil.GetBit(_buildMatched!, b))
                    {
                        continue;
                    }
                    _outRight[_outCount] = b;
                    if (++_outCount == _batchSize)
                    {
                        ct.ThrowIfCancellationRequested();
                        yield return EmitBuildOnly();
                    }
                }
                if (_outCount > 0)
                {
                    yield return EmitBuildOnly();
                }
            }
        }
        finally
        {
            // The join is over: drop the build side with its reservation, so what the pool reports is what is held.
            _candidates.Release();
            _build = null;
            _memory.Free();
        }
    }

    private void PrepareProbeMatched(int length)
    {
        if (_probeMatched.Length < length)
        {
            var before = _probeMatched.Length;
            _memory.Grow(length);
            _probeMatched = new bool[length];
            _memory.Shrink(before);
        }
        else
        {
            _probeMatched.AsSpan(0, length).Clear();
        }
    }

    private void MarkProbe(int[] probeRows, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _probeMatched[probeRows[i]] = true;
        }
    }

    /// <summary>Records that output pairs [from, from + count) matched.</summary>
    private void MarkPairs(int from, int count)
    {
        if (TracksProbe)
        {
            for (var i = from; i < from + count; i++)
            {
                _probeMatched[_outLeft[i]] = true;
            }
        }
        if (_buildMatched is not null)
        {
            for (var i = from; i < from + count; i++)
            {
                BitUtil.SetBit(_buildMatched, _outRight[i]);
            }
        }
    }

    /// <summary>
    /// Moves the candidates the residual accepted (true, not null) to the front of the candidate buffers, marking
    /// them matched; returns how many.
    /// </summary>
    private int KeepAccepted(BooleanArray mask, int count)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Length != count)
        {
            throw new InvalidOperationException($"the join condition returned {mask.Length} rows for {count} candidate pairs");
        }
        var data = mask.Data;
        var values = data.Buffers[1].Span;
        var validity = data.NullCount == 0 ? default : data.Validity;
        var passed = 0;
        for (var i = 0; i < count; i++)
        {
            var bit = data.Offset + i;
            if (!BitUtil.GetBit(values, bit) || (!validity.IsEmpty && !BitUtil.GetBit(validity, bit)))
            {
                continue;
            }
            var l = _candidateLeft[i];
            var r = _candidateRight[i];
            _candidateLeft[passed] = l;
            _candidateRight[passed] = r;
            passed++;
            if (TracksProbe)
            {
                _probeMatched[l] = true;
            }
            if (_buildMatched is not null)
            {
                BitUtil.SetBit(_buildMatched, r);
            }
        }
        return passed;
    }

    private RecordBatch Emit(RecordBatch probe)
    {
        var batch = Gather(probe, _outLeft, _outRight, _outCount, _output, rightColumns: !SemiOrAnti);
        Interlocked.Add(ref _outputRows, _outCount);
        _outCount = 0;
        return batch;
    }

    /// <summary>Rows (probe row, build row) as one batch; a -1 row is nulls.</summary>
    private RecordBatch Gather(RecordBatch probe, int[] leftRows, int[] rightRows, int count, Schema schema, bool rightColumns)
    {
        var columns = new ArrowArray[schema.FieldCount];
        var li = leftRows.AsSpan(0, count);
        for (var c = 0; c < _left.FieldCount; c++)
        {
            columns[c] = Selection.Take(probe.Column(c), li);
        }
        if (rightColumns)
        {
            var ri = rightRows.AsSpan(0, count);
            for (var c = 0; c < _right.FieldCount; c++)
            {
                columns[_left.FieldCount + c] = _build is null ? JoinColumns.Nulls(_right[c].Type, count) : Selection.Take(_build.Column(c), ri);
            }
        }
        return new RecordBatch(schema, columns, count);
    }

    private RecordBatch EmitBuildOnly()
    {
        var columns = new ArrowArray[_output.FieldCount];
        for (var c = 0; c < _left.FieldCount; c++)
        {
            columns[c] = JoinColumns.Nulls(_left[c].Type, _outCount);
        }
        var ri = _outRight.AsSpan(0, _outCount);
        for (var c = 0; c < _right.FieldCount; c++)
        {
            columns[_left.FieldCount + c] = Selection.Take(_build!.Column(c), ri);
        }
        var batch = new RecordBatch(_output, columns, _outCount);
        Interlocked.Add(ref _outputRows, _outCount);
        _outCount = 0;
        return batch;
    }
}
