using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// An equi-join: the right (build) side is held in memory with a hash table over its keys, then the left (probe)
/// side streams through batch by batch and output streams out in batches of at most <c>batchSize</c> rows, however
/// many rows the join produces. Key pairs compare by value: int64, uint64 and float64 keys with each other (int64 1
/// matches float64 1.0), strings with dictionary-encoded tags, timestamps, booleans. A null key never matches.
/// </summary>
/// <remarks>
/// Everything the build side keeps (its batches, key codes, the table) is reserved in the caller's reservation with
/// <see cref="MemoryReservation.Grow"/>, so a build side past the query's memory limit fails the query with a
/// <see cref="QueryLimitException"/> naming the reservation's consumer (e.g. "HashJoin(build)"). The join gives its
/// bytes back when the probe ends.
/// </remarks>
public sealed class HashJoiner
{
    private readonly Schema _left;
    private readonly Schema _right;
    private readonly JoinType _type;
    private readonly Func<RecordBatch, BooleanArray>? _residual;
    private readonly JoinMemory _memory;
    private readonly int _batchSize;
    private readonly bool _nullAwareAnti;
    private readonly JoinKeys _keys;
    private JoinProbe? _probe;
    private long _buildRows;
    private int _built;

    /// <param name="left">The probe side's schema.</param>
    /// <param name="right">The build side's schema.</param>
    /// <param name="leftKeys">Left columns compared for equality with <paramref name="rightKeys"/>, pairwise.</param>
    /// <param name="rightKeys">Right key columns.</param>
    /// <param name="type">Inner, Left, Right, Full, LeftSemi or LeftAnti (a cross join has no keys: <see cref="NestedLoopJoiner"/>).</param>
    /// <param name="residual">
    /// The rest of the ON condition, evaluated on candidate pairs (left columns then right columns); a pair matches
    /// only where it is true (false and null do not match). Null when the keys are the whole condition.
    /// </param>
    /// <param name="reservation">Where the build side's memory is reserved; its consumer name is what a memory error names.</param>
    /// <param name="batchSize">The most rows an output batch has.</param>
    /// <param name="nullAwareAnti">
    /// NOT IN semantics for a LeftAnti join: a left row qualifies only if no right row could equal it, so a right row
    /// with a null key rules out every left row (it might equal any), and a left row with a null key qualifies only
    /// when the right side is empty. Without it, LeftAnti is NOT EXISTS: nulls just never match.
    /// </param>
    public HashJoiner(Schema left, Schema right, IReadOnlyList<int> leftKeys, IReadOnlyList<int> rightKeys, JoinType type,
        Func<RecordBatch, BooleanArray>? residual, MemoryReservation reservation, int batchSize = 8192, bool nullAwareAnti = false)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (type == JoinType.Cross)
        {
            throw new ArgumentException("a cross join has no keys: use NestedLoopJoiner", nameof(type));
        }
        if (nullAwareAnti && type != JoinType.LeftAnti)
        {
            throw new ArgumentException("null-aware (NOT IN) semantics are for LeftAnti joins", nameof(nullAwareAnti));
        }
        _left = left;
        _right = right;
        _type = type;
        _residual = residual;
        _batchSize = batchSize;
        _nullAwareAnti = nullAwareAnti;
        _memory = new JoinMemory(reservation);
        _keys = new JoinKeys(left, right, leftKeys, rightKeys, _memory);
        OutputSchema = JoinColumns.OutputSchema(left, right, type);
    }

    /// <summary>Left fields then right fields (left only for LeftSemi and LeftAnti); padded sides are nullable.</summary>
    public Schema OutputSchema { get; }

    public JoinType Type => _type;

    /// <summary>Rows the build side held (null keys included).</summary>
    public long BuildRows => Interlocked.Read(ref _buildRows);

    /// <summary>Rows the probe has emitted so far.</summary>
    public long OutputRows => _probe?.OutputRows ?? 0;

    /// <summary>Reads the whole right side and builds the hash table. Call once, before <see cref="ProbeAsync"/>.</summary>
    public async ValueTask BuildAsync(IAsyncEnumerable<RecordBatch> right, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _built, 1) != 0)
        {
            throw new InvalidOperationException("a join's build side is read once");
        }
        try
        {
            var build = await JoinBuildSide.CollectAsync(_right, right, _memory, ct).ConfigureAwait(false);
            var length = build?.Length ?? 0;
            var codes = new long[_keys.Count][];
            var validity = new byte[]?[_keys.Count];
            JoinHashTable? table = null;
            var nullRows = Array.Empty<int>();
            if (build is not null)
            {
                _memory.Grow(_keys.Count * ((8L * length) + (length / 8) + 1));
                for (var k = 0; k < codes.Length; k++)
                {
                    codes[k] = new long[length];
                }
                _keys.EncodeBuild(build, codes, validity);
                ct.ThrowIfCancellationRequested();
                var rowValid = JoinColumns.And(validity, length);
                // Row hashes are only needed while the table is built.
                _memory.Grow(8L * length);
                var hashes = new ulong[length];
                _keys.Hash(codes, length, build: true, hashes);
                table = new JoinHashTable(length, _memory);
                table.Build(codes, hashes, rowValid, length);
                _memory.Shrink(8L * length);
                if (_nullAwareAnti && rowValid is not null)
                {
                    nullRows = NullKeyRows(rowValid, length);
                }
            }
            var candidates = new HashJoinCandidates(_keys, table, codes, validity, nullRows, length, _nullAwareAnti, _memory);
            _probe = new JoinProbe(_type, _residual, _batchSize, _left, _right, build, candidates, _memory);
            Interlocked.Exchange(ref _buildRows, length);
        }
        catch
        {
            _memory.Free();
            throw;
        }
    }

    /// <summary>
    /// Streams the left side through the table: output batches of at most the batch size, as the probe goes; for
    /// Right and Full joins the unmatched right rows follow at the end. Call once, after <see cref="BuildAsync"/>.
    /// </summary>
    public IAsyncEnumerable<RecordBatch> ProbeAsync(IAsyncEnumerable<RecordBatch> left, CancellationToken ct)
    {
        var probe = _probe ?? throw new InvalidOperationException("the build side must be read (BuildAsync) before the probe");
        return probe.RunAsync(left, ct);
    }

    private int[] NullKeyRows(byte[] rowValid, int length)
    {
        var count = 0;
        for (var row = 0; row < length; row++)
        {
            if (!JoinColumns.IsValid(rowValid, row))
            {
                count++;
            }
        }
        _memory.Grow(4L * count);
        var rows = new int[count];
        var n = 0;
        for (var row = 0; row < length; row++)
        {
            if (!JoinColumns.IsValid(rowValid, row))
            {
                rows[n++] = row;
            }
        }
        return rows;
    }
}
