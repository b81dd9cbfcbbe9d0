using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// A join without equality keys: cross joins, and conditions with no <c>left = right</c> term (every pair goes
/// through the residual condition). The right (build) side is held, reserved like <see cref="HashJoiner"/>'s; the left
/// side streams through and output streams out in batches of at most <c>batchSize</c> rows, so a cross join of
/// billions of rows runs in bounded memory (and stops promptly when cancelled).
/// </summary>
public sealed class NestedLoopJoiner
{
    private readonly Schema _left;
    private readonly Schema _right;
    private readonly JoinType _type;
    private readonly Func<RecordBatch, BooleanArray>? _residual;
    private readonly JoinMemory _memory;
    private readonly int _batchSize;
    private JoinProbe? _probe;
    private long _buildRows;
    private int _built;

    /// <param name="left">The probe side's schema.</param>
    /// <param name="right">The build side's schema.</param>
    /// <param name="type">Any join type; Cross and Inner are the same here (Cross with a condition filters pairs).</param>
    /// <param name="residual">The ON condition over pairs (left columns then right columns); null: every pair matches.</param>
    /// <param name="reservation">Where the build side's memory is reserved; its consumer name is what a memory error names.</param>
    /// <param name="batchSize">The most rows an output batch has.</param>
    public NestedLoopJoiner(Schema left, Schema right, JoinType type, Func<RecordBatch, BooleanArray>? residual, MemoryReservation reservation, int batchSize = 8192)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _left = left;
        _right = right;
        _type = type;
        _residual = residual;
        _batchSize = batchSize;
        _memory = new JoinMemory(reservation);
        OutputSchema = JoinColumns.OutputSchema(left, right, type);
    }

    /// <summary>Left fields then right fields (left only for LeftSemi and LeftAnti); padded sides are nullable.</summary>
    public Schema OutputSchema { get; }

    public JoinType Type => _type;

    public long BuildRows => Interlocked.Read(ref _buildRows);

    public long OutputRows => _probe?.OutputRows ?? 0;

    /// <summary>Reads the whole right side. Call once, before <see cref="ProbeAsync"/>.</summary>
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
            _probe = new JoinProbe(_type, _residual, _batchSize, _left, _right, build, new NestedLoopCandidates(length), _memory);
            Interlocked.Exchange(ref _buildRows, length);
        }
        catch
        {
            _memory.Free();
            throw;
        }
    }

    /// <summary>
    /// Streams the left side against every right row: output batches of at most the batch size; for Right and Full
    /// joins the unmatched right rows follow at the end. Call once, after <see cref="BuildAsync"/>.
    /// </summary>
    public IAsyncEnumerable<RecordBatch> ProbeAsync(IAsyncEnumerable<RecordBatch> left, CancellationToken ct)
    {
        var probe = _probe ?? throw new InvalidOperationException("the build side must be read (BuildAsync) before the probe");
        return probe.RunAsync(left, ct);
    }
}
