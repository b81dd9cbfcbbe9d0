using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Aggregation;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.Execution;

/// <summary>
/// GROUP BY for every aggregate: each input batch is grouped on its own into a partial (its distinct keys and one
/// accumulator per aggregate), up to one batch per core at a time; partials are merged into one table of groups as
/// they come (keys numbered again, accumulator states folded with <see cref="IGroupsAccumulator.Merge"/>). Memory is
/// the groups', reserved from the query's pool; groups keep their order of first appearance. Over a scan (through
/// filters and projections) the partial is made in the same task that scans and filters the slice
/// (<see cref="FusedScan"/>).
/// </summary>
internal sealed class HashAggregateExec(ExecutionPlan input, IReadOnlyList<Expr> groups, IReadOnlyList<AggregateCall> aggregates, Schema schema) : ExecutionPlan
{
    /// <summary>Partials waiting to be merged before they are folded into the running table.</summary>
    private const int MergeEvery = 16;

    /// <summary>
    /// Pending partials are also held until they have this many times the table's groups: each merge numbers the
    /// table's keys again, so with many groups (a GROUP BY time over 8192-row slices) merging as soon as 16 partials
    /// wait would renumber the table many times over (3 M groups: 1.8–2.4× the time of merging once).
    /// </summary>
    private const int GrowthBeforeMerge = 4;

    private readonly string[] _names = [.. schema.Fields.Select(f => f.Name)];

    private readonly FusedScan? _fused = FusedScan.Of(input);

    public override Schema Schema { get; } = schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() =>
        $"HashAggregateExec: groupBy=[{string.Join(", ", groups)}], aggr=[{string.Join(", ", aggregates)}]" + (_fused is null ? "" : ", " + _fused.Describe());

    /// <summary>Groups of some rows: their keys (one row per group; null without GROUP BY) and the aggregates' states.</summary>
    private sealed record Partial(RecordBatch? Keys, IGroupsAccumulator[] States, int Groups)
    {
        public long Bytes => (Keys is null ? 0 : QueryMemoryPool.SizeOf(Keys)) + States.Sum(s => s.MemoryBytes);
    }

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        using var reservation = context.Memory.Reserve("HashAggregate");
        Partial? table = null;
        var pending = new List<Partial>();
        long held = 0;

        void Hold(long bytes)
        {
            if (bytes > held)
            {
                reservation.Grow(bytes - held);
            }
            else
            {
                reservation.Shrink(held - bytes);
            }
            held = bytes;
            Metrics.PeakMemory = Math.Max(Metrics.PeakMemory, held);
        }

        var partials = _fused is not null
            ? _fused.RunAsync<Partial>(context, b => Local(b, context))
            : ScanExec.InParallel(input.ExecuteAsync(context), b => Local(b, context), context.Parallelism, context.CancellationToken, b => b.Length < context.InlineRows);
        // Kept as running totals: with small slices thousands of partials can wait (GROUP BY hostname: a few groups each).
        long pendingGroups = 0;
        long pendingBytes = 0;
        long tableBytes = 0;
        await foreach (var partial in partials.ConfigureAwait(false))
        {
            if (partial is null)
            {
                continue;
            }
            pending.Add(partial);
            pendingGroups += partial.Groups;
            pendingBytes += partial.Bytes;
            Hold(tableBytes + pendingBytes);
            if (pending.Count >= MergeEvery && pendingGroups >= GrowthBeforeMerge * (long)(table?.Groups ?? 0))
            {
                Hold(tableBytes + pendingBytes + MergeCost(table, pending));
                pendingGroups = 0;
                pendingBytes = 0;
                table = Merge(table is null ? pending : [table, .. pending]);
                pending.Clear();
                tableBytes = table.Bytes;
                Hold(tableBytes);
            }
        }
        if (pending.Count > 0)
        {
            Hold(tableBytes + pendingBytes + MergeCost(table, pending));
            table = Merge(table is null ? pending : [table, .. pending]);
            Hold(table.Bytes);
        }
        if (table is null)
        {
            if (groups.Count > 0)
            {
                yield break;
            }
            // No rows and no GROUP BY: one row of empty aggregates (count 0, the others NULL).
            var states = aggregates.Select(a => a.CreateAccumulator()).ToArray();
            for (var i = 0; i < states.Length; i++)
            {
                states[i].Update([.. aggregates[i].Arguments.Select(e => ScanExec.NullColumn(e.Type, 0))], [], 1, null);
            }
            table = new Partial(null, states, 1);
        }
        var columns = new List<ArrowArray>();
        if (table.Keys is not null)
        {
            columns.AddRange(table.Keys.Columns);
        }
        foreach (var state in table.States)
        {
            columns.Add(state.Evaluate());
        }
        var result = MakeBatch(_names, columns, table.Groups);
        for (var offset = 0; offset < result.Length; offset += context.BatchSize)
        {
            yield return offset == 0 && result.Length <= context.BatchSize ? result : result.Slice(offset, Math.Min(context.BatchSize, result.Length - offset));
        }
    }

    /// <summary>One batch grouped on its own.</summary>
    private Partial? Local(RecordBatch batch, TaskContext context)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        var n = batch.Length;
        if (n == 0)
        {
            return null;
        }
        int[] ids;
        int count;
        RecordBatch? keys = null;
        if (groups.Count == 0)
        {
            ids = new int[n];
            count = 1;
        }
        else
        {
            var keyArrays = new ArrowArray[groups.Count];
            for (var g = 0; g < keyArrays.Length; g++)
            {
                keyArrays[g] = groups[g].Evaluate(batch, context.Eval).ToArray(n);
            }
            ids = Hashing.GroupIds(keyArrays, out count);
            var firsts = FirstRows(ids, count);
            keys = MakeBatch(_names, [.. keyArrays.Select(k => Selection.Take(k, firsts))], count);
        }
        var states = new IGroupsAccumulator[aggregates.Count];
        for (var a = 0; a < states.Length; a++)
        {
            var call = aggregates[a];
            var args = new ArrowArray[call.Arguments.Count];
            for (var i = 0; i < args.Length; i++)
            {
                args[i] = call.Arguments[i].Evaluate(batch, context.Eval).ToArray(n);
            }
            var filter = call.Filter?.EvaluateMask(batch, context.Eval);
            states[a] = call.CreateAccumulator();
            try
            {
                states[a].Update(args, ids, count, filter);
            }
            catch (Functions.FunctionException ex)
            {
                throw new QueryException($"{call.Name}: {ex.Message}");
            }
        }
        return new Partial(keys, states, count);
    }

    /// <summary>
    /// What a merge allocates besides the partials it reads, reserved before it starts (it was the one unaccounted
    /// peak of a GROUP BY over many series): the concatenated keys and the merged table's keys (each at most the
    /// partials' keys; a tag's dictionary is unified through strings, about as large again), the group ids and the
    /// hash table (16 bytes a row), and the merged states (at most the partials').
    /// </summary>
    private static long MergeCost(Partial? table, List<Partial> pending)
    {
        if (table is null && pending.Count == 1)
        {
            return 0;
        }
        long keys = 0, states = 0, rows = 0;
        foreach (var p in table is null ? pending : [table, .. pending])
        {
            keys += p.Keys is null ? 0 : QueryMemoryPool.SizeOf(p.Keys);
            states += p.Bytes;
            rows += p.Groups;
        }
        return (3 * keys) + (states - keys) + (16 * rows);
    }

    /// <summary>Several partials as one: keys numbered again over all of them, each partial's states folded in.</summary>
    private Partial Merge(List<Partial> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }
        if (groups.Count == 0)
        {
            var target = aggregates.Select(a => a.CreateAccumulator()).ToArray();
            foreach (var p in parts)
            {
                for (var a = 0; a < target.Length; a++)
                {
                    target[a].Merge(p.States[a], [0], 1);
                }
            }
            return new Partial(null, target, 1);
        }
        var all = Columns.Concatenate(parts[0].Keys!.Schema, [.. parts.Select(p => p.Keys!)]);
        var ids = Hashing.GroupIds([.. all.Columns], out var count);
        var states = aggregates.Select(a => a.CreateAccumulator()).ToArray();
        var offset = 0;
        foreach (var p in parts)
        {
            var mapping = ids.AsSpan(offset, p.Groups);
            for (var a = 0; a < states.Length; a++)
            {
                states[a].Merge(p.States[a], mapping, count);
            }
            offset += p.Groups;
        }
        var firsts = FirstRows(ids, count);
        return new Partial(Selection.Take(all, firsts), states, count);
    }

    private static int[] FirstRows(int[] ids, int groups)
    {
        var firsts = new int[groups];
        firsts.AsSpan().Fill(-1);
        var found = 0;
        for (var i = 0; i < ids.Length && found < groups; i++)
        {
            if (firsts[ids[i]] < 0)
            {
                firsts[ids[i]] = i;
                found++;
            }
        }
        return firsts;
    }
}
