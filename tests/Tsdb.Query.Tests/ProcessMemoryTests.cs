using Tsdb.Core.Diagnostics;
using Tsdb.Query.Sql;

namespace Tsdb.Query.Tests;

/// <summary>The process-wide memory budget: queries take without waiting, persists and compactions wait in turn.</summary>
public sealed class ProcessMemoryTests
{
    private const long S = 1_000_000_000L;
    private static readonly long T0 = 1_451_606_400L * S;

    [Fact]
    public void Queries_take_what_fits_and_give_it_back()
    {
        var pool = new ProcessMemory(100);
        Assert.True(pool.TryReserve(60));
        Assert.True(pool.TryReserve(40));
        Assert.False(pool.TryReserve(1));
        Assert.Equal(100, pool.Used);
        pool.Release(50);
        Assert.False(pool.TryReserve(51));
        Assert.True(pool.TryReserve(50));
        pool.Release(100);
        Assert.Equal(0, pool.Used);
        Assert.Equal(100, pool.Peak);
    }

    [Fact]
    public async Task Background_work_waits_until_the_bytes_come_back()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMinutes(5));
        Assert.True(pool.TryReserve(80));
        var compaction = pool.ReserveAsync(MemoryClaimant.Compaction, 50, CancellationToken.None);
        Assert.False(compaction.IsCompleted);
        Assert.Equal(1, pool.Waiting);
        pool.Release(80);
        using var lease = await compaction;
        Assert.NotNull(lease);
        Assert.False(lease.Forced);
        Assert.Equal(50, pool.Used);
        Assert.Equal(0, pool.Waiting);
        lease.Dispose();
        lease.Dispose(); // once only
        Assert.Equal(0, pool.Used);
    }

    [Fact]
    public async Task A_waiting_persist_goes_before_compactions_and_queries()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMinutes(5));
        Assert.True(pool.TryReserve(70));
        var compaction = pool.ReserveAsync(MemoryClaimant.Compaction, 60, CancellationToken.None);
        var persist = pool.ReserveAsync(MemoryClaimant.Persist, 60, CancellationToken.None);
        // 30 bytes are free, but what waits goes first: a query gets nothing new.
        Assert.False(pool.TryReserve(10));
        pool.Release(70);
        using var persisted = await persist;
        Assert.False(compaction.IsCompleted); // 40 left, the compaction wants 60
        persisted!.Dispose();
        using var compacted = await compaction;
        Assert.Equal(60, pool.Used);
        Assert.True(pool.TryReserve(40));
    }

    [Fact]
    public async Task A_persist_arriving_while_a_compaction_waits_takes_the_free_bytes_at_once()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMinutes(5));
        Assert.True(pool.TryReserve(50));
        var compaction = pool.ReserveAsync(MemoryClaimant.Compaction, 80, CancellationToken.None);
        using var persist = await pool.ReserveAsync(MemoryClaimant.Persist, 30, CancellationToken.None);
        Assert.Equal(80, pool.Used);
        Assert.False(compaction.IsCompleted);
        pool.Release(50);
        Assert.False(compaction.IsCompleted); // 70 free, it needs 80
        persist!.Dispose();
        using var compacted = await compaction;
        Assert.Equal(80, pool.Used);
    }

    [Fact]
    public async Task A_persist_never_waits_longer_than_the_bound_and_a_compaction_gives_up()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMilliseconds(50));
        Assert.True(pool.TryReserve(90));
        var compaction = await pool.ReserveAsync(MemoryClaimant.Compaction, 20, CancellationToken.None);
        Assert.Null(compaction);
        Assert.Equal(90, pool.Used);
        using var persist = await pool.ReserveAsync(MemoryClaimant.Persist, 20, CancellationToken.None);
        Assert.True(persist!.Forced);
        Assert.Equal(110, pool.Used); // over the limit: the buffer must drain
        Assert.Equal(1, pool.Forced);
        Assert.Equal(0, pool.Waiting);
        Assert.False(pool.TryReserve(1));
    }

    [Fact]
    public async Task Nothing_is_granted_that_would_take_the_heap_past_its_ceiling()
    {
        // The heap as the GC reports it: what is reserved but not yet allocated is not in it.
        long heap = 950;
        var pool = new ProcessMemory(1000, TimeSpan.FromMinutes(5), new ProcessMemory.HeapGuard(() => Interlocked.Read(ref heap), 1000) { Poll = TimeSpan.FromMilliseconds(10), QueryCeiling = 980 });
        Assert.True(pool.TryReserve(30));
        Assert.False(pool.TryReserve(31)); // the budget has 970 left; queries may take the heap to 980
        Assert.Contains("the heap holds 950 bytes (queries may take it to 980 bytes)", pool.Describe(), StringComparison.Ordinal);
        // Background work may take it to 1000.
        using (var compaction = await pool.ReserveAsync(MemoryClaimant.Compaction, 50, CancellationToken.None))
        {
            Assert.Equal(80, pool.Used);
        }
        var persist = pool.ReserveAsync(MemoryClaimant.Persist, 200, CancellationToken.None);
        Assert.False(persist.IsCompleted);
        // A collection shrinks the heap without any release: the waiting persist sees it at its next look.
        Interlocked.Exchange(ref heap, 500);
        using var lease = await persist;
        Assert.False(lease!.Forced);
        Assert.Equal(230, pool.Used);
    }

    [Fact]
    public async Task A_request_larger_than_the_budget_waits_for_all_of_it()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMinutes(5));
        Assert.True(pool.TryReserve(1));
        var persist = pool.ReserveAsync(MemoryClaimant.Persist, 500, CancellationToken.None);
        Assert.False(persist.IsCompleted);
        pool.Release(1);
        using var lease = await persist;
        Assert.Equal(100, lease!.Bytes);
        Assert.Equal(100, pool.Used);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_queue_and_lets_the_next_through()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMinutes(5));
        Assert.True(pool.TryReserve(50));
        using var cancel = new CancellationTokenSource();
        var big = pool.ReserveAsync(MemoryClaimant.Persist, 100, cancel.Token);
        var small = pool.ReserveAsync(MemoryClaimant.Compaction, 40, CancellationToken.None);
        Assert.False(small.IsCompleted); // behind the persist, though it would fit
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => big);
        using var lease = await small;
        Assert.Equal(90, pool.Used);
        Assert.Equal(0, pool.Waiting);
    }

    [Fact]
    public async Task Queries_refuse_to_wait()
    {
        var pool = new ProcessMemory(100);
        await Assert.ThrowsAsync<ArgumentException>(() => pool.ReserveAsync(MemoryClaimant.Query, 1, CancellationToken.None));
    }

    [Fact]
    public async Task A_query_is_refused_with_a_retryable_error_before_it_starts_when_the_budget_is_in_use()
    {
        var process = new ProcessMemory(32L << 20, TimeSpan.FromMinutes(5));
        var engine = Engine(process, queryLimit: 64L << 20);
        using (var persist = await process.ReserveAsync(MemoryClaimant.Persist, 20L << 20, CancellationToken.None))
        {
            var ex = await Assert.ThrowsAsync<QueryLimitException>(() => engine.ExecuteAsync("db", "SELECT * FROM cpu", CancellationToken.None));
            Assert.Equal(QueryLimit.ProcessMemory, ex.Limit);
            Assert.Equal("the server is short of memory: a new query needed 16 MiB; 20 MiB of the 32 MiB that queries, persists and compactions share is reserved; retry later", ex.Message);
        }
        Assert.Equal(0, process.Used);
        var result = await engine.ExecuteAsync("db", "SELECT * FROM cpu ORDER BY n", CancellationToken.None);
        Assert.Equal(6, result.Batches.Sum(b => b.Length));
        // Everything the query reserved, its baseline and its sort's, came back when it ended.
        Assert.Equal(0, process.Used);
        Assert.True(process.Peak > 16L << 20, $"peak {process.Peak}");
    }

    [Fact]
    public async Task An_operator_refused_by_the_process_budget_fails_with_503s_error_not_the_query_limit()
    {
        // The query's own limit would allow the sort; the process's budget (all but 16 MiB and a few bytes taken) does not.
        var process = new ProcessMemory(64L << 20, TimeSpan.FromMinutes(5));
        Assert.True(process.TryReserve((48L << 20) - 64));
        var engine = Engine(process, queryLimit: 1L << 30);
        var ex = await Assert.ThrowsAsync<QueryLimitException>(() => engine.ExecuteAsync("db", "SELECT * FROM cpu ORDER BY n", CancellationToken.None));
        Assert.Equal(QueryLimit.ProcessMemory, ex.Limit);
        Assert.StartsWith("the server is short of memory: ", ex.Message, StringComparison.Ordinal);
        Assert.Equal((48L << 20) - 64, process.Used);
    }

    [Fact]
    public async Task A_scan_reserves_its_next_decode_before_it_reads_and_gives_it_back()
    {
        // A 64 MiB query decodes batches of at most 4 MiB (a sixteenth), and reserves twice that before the first:
        // with 16 MiB for its baseline and 4 MiB more free, the scan is refused before anything is decoded.
        var process = new ProcessMemory(64L << 20, TimeSpan.FromMinutes(5));
        Assert.True(process.TryReserve(44L << 20));
        var engine = Engine(process, queryLimit: 64L << 20);
        var ex = await Assert.ThrowsAsync<QueryLimitException>(() => engine.ExecuteAsync("db", "SELECT * FROM cpu", CancellationToken.None));
        Assert.Equal(QueryLimit.ProcessMemory, ex.Limit);
        Assert.StartsWith("the server is short of memory: a scan (the pages it decodes) needed 8 MiB; ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(44L << 20, process.Used);

        // With 8 MiB more free the same scan runs, and what it reserved comes back when it ends.
        process.Release(8L << 20);
        var result = await engine.ExecuteAsync("db", "SELECT * FROM cpu", CancellationToken.None);
        Assert.Equal(6, result.Batches.Sum(b => b.Length));
        Assert.Equal(36L << 20, process.Used);
        Assert.True(process.Peak >= (36L + 16 + 8) << 20, $"peak {process.Peak}");
    }

    [Fact]
    public void Closing_a_query_pool_returns_what_an_abandoned_reservation_held()
    {
        var process = new ProcessMemory(1000);
        var pool = new Execution.QueryMemoryPool(500, process);
        var kept = pool.Reserve("abandoned");
        Assert.True(kept.TryGrow(300));
        Assert.False(kept.TryGrow(300)); // the query's own limit
        Assert.Equal(300, process.Used);
        pool.Close();
        Assert.Equal(0, process.Used);
        kept.Dispose(); // late: gives nothing back twice
        Assert.Equal(0, process.Used);
        Assert.False(pool.Reserve("after").TryGrow(1));
    }

    [Fact]
    public async Task Persists_never_take_the_queries_part_and_queries_never_take_the_background_part()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMinutes(5), shares: new MemoryShares(QueryReserve: 30, BackgroundReserve: 20));
        // A persist asking for everything is held to what queries leave: 70.
        using var persist = await pool.ReserveAsync(MemoryClaimant.Persist, 500, CancellationToken.None);
        Assert.Equal(70, persist!.Bytes);
        // The queries' 30 are still theirs, though the persist's 70 fill the rest.
        Assert.True(pool.TryReserve(30));
        Assert.False(pool.TryReserve(1));
        pool.Release(30);
        persist.Dispose();
        // Queries alone reach at most 80: the last 20 are kept for persists and compactions.
        Assert.True(pool.TryReserve(80));
        Assert.False(pool.TryReserve(1));
        using var compaction = await pool.ReserveAsync(MemoryClaimant.Compaction, 20, CancellationToken.None);
        Assert.NotNull(compaction);
        Assert.Equal(100, pool.Used);
        Assert.Contains("(queries hold 80 bytes, 30 bytes kept for them; persists and compactions 20 bytes, 20 bytes kept for them)", pool.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_takes_its_own_part_while_a_persist_waits_for_the_shared_one()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMinutes(5), shares: new MemoryShares(QueryReserve: 30, BackgroundReserve: 10));
        Assert.True(pool.TryReserve(50)); // a query in its part (30) and the shared part (20)
        var persist = pool.ReserveAsync(MemoryClaimant.Persist, 70, CancellationToken.None);
        Assert.False(persist.IsCompleted);
        // The shared part is held back for the waiting persist; the queries' part is not.
        Assert.False(pool.TryReserve(10));
        pool.Release(50);
        using var lease = await persist;
        Assert.Equal(70, pool.Used);
        Assert.True(pool.TryReserve(30));
        Assert.False(pool.TryReserve(1));
    }

    [Fact]
    public async Task Queries_short_of_memory_wait_in_line_and_are_served_in_order()
    {
        var pool = new ProcessMemory(100, shares: new MemoryShares(QueryWait: TimeSpan.FromMinutes(5)));
        Assert.True(pool.TryReserve(90));
        var first = pool.ReserveForQueryAsync(40, running: false, CancellationToken.None);
        var second = pool.ReserveForQueryAsync(5, running: false, CancellationToken.None);
        // The second would fit now, but it came after the first.
        Assert.False(second.IsCompleted);
        Assert.False(pool.TryReserve(5));
        Assert.Equal(2, pool.Waiting);
        pool.Release(40);
        Assert.True(await first);
        Assert.True(await second);
        Assert.Equal(95, pool.Used);
        Assert.Equal(0, pool.Waiting);
    }

    [Fact]
    public async Task A_running_query_goes_before_queries_not_yet_started()
    {
        var pool = new ProcessMemory(100, shares: new MemoryShares(QueryWait: TimeSpan.FromMinutes(5)));
        Assert.True(pool.TryReserve(100));
        var starting = pool.ReserveForQueryAsync(30, running: false, CancellationToken.None);
        var running = pool.ReserveForQueryAsync(30, running: true, CancellationToken.None);
        pool.Release(30);
        Assert.True(await running);
        Assert.False(starting.IsCompleted);
        pool.Release(30);
        Assert.True(await starting);
    }

    [Fact]
    public async Task A_running_querys_next_batch_goes_before_a_persist_waiting_for_its_memory()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMinutes(5), shares: new MemoryShares(QueryWait: TimeSpan.FromMinutes(5)));
        Assert.True(pool.TryReserve(60)); // a running query
        var persist = pool.ReserveAsync(MemoryClaimant.Persist, 70, CancellationToken.None);
        Assert.False(persist.IsCompleted);
        // The query needs 30 more to finish: it does not wait behind the persist, which waits for the query's memory.
        Assert.True(await pool.ReserveForQueryAsync(30, running: true, CancellationToken.None));
        // A new query waits behind the persist.
        var fresh = pool.ReserveForQueryAsync(5, running: false, CancellationToken.None);
        Assert.False(fresh.IsCompleted);
        pool.Release(90);
        using var lease = await persist;
        Assert.True(await fresh);
        Assert.Equal(75, pool.Used);
    }

    [Fact]
    public async Task A_query_wait_runs_out_or_is_cancelled_and_leaves_the_line()
    {
        var pool = new ProcessMemory(100, shares: new MemoryShares(QueryWait: TimeSpan.FromMilliseconds(50)));
        Assert.True(pool.TryReserve(100));
        Assert.False(await pool.ReserveForQueryAsync(10, running: false, CancellationToken.None));
        Assert.Equal(0, pool.Waiting);
        Assert.False(await pool.ReserveForQueryAsync(200, running: false, CancellationToken.None)); // could never fit

        var patient = new ProcessMemory(100, shares: new MemoryShares(QueryWait: TimeSpan.FromMinutes(5)));
        Assert.True(patient.TryReserve(100));
        using var cancel = new CancellationTokenSource();
        var waiting = patient.ReserveForQueryAsync(10, running: false, cancel.Token);
        var behind = patient.ReserveForQueryAsync(10, running: false, CancellationToken.None);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        patient.Release(10);
        Assert.True(await behind);
        Assert.Equal(100, patient.Used);
        Assert.Equal(0, patient.Waiting);

        // Without a wait, refused at once as before.
        var impatient = new ProcessMemory(100);
        Assert.True(impatient.TryReserve(100));
        Assert.False(await impatient.ReserveForQueryAsync(1, running: false, CancellationToken.None));
    }

    [Fact]
    public async Task A_waiting_query_asks_for_a_collection_when_only_the_heap_holds_it_back()
    {
        long heap = 990;
        var collections = 0;
        var pool = new ProcessMemory(1000, heap: new ProcessMemory.HeapGuard(() => Interlocked.Read(ref heap), 1000)
        {
            Poll = TimeSpan.FromMilliseconds(10),
            // The collection finds the heap mostly garbage.
            Collect = () => { Interlocked.Increment(ref collections); Interlocked.Exchange(ref heap, 100); },
        }, shares: new MemoryShares(QueryWait: TimeSpan.FromMinutes(5)));
        Assert.True(await pool.ReserveForQueryAsync(100, running: false, CancellationToken.None));
        Assert.Equal(1, collections);
    }

    [Fact]
    public void Request_bodies_take_only_the_shared_part_and_never_wait()
    {
        var pool = new ProcessMemory(100, TimeSpan.FromMinutes(5), shares: new MemoryShares(QueryReserve: 40, BackgroundReserve: 40, QueryWait: TimeSpan.FromMinutes(5)));
        Assert.True(pool.TryReserve(20, MemoryClaimant.Request));
        Assert.False(pool.TryReserve(1, MemoryClaimant.Request));
        // Queries still have their 40, persists theirs.
        Assert.True(pool.TryReserve(40));
        pool.Release(20, MemoryClaimant.Request);
        Assert.Equal(40, pool.Used);
        Assert.Throws<ArgumentException>(() => pool.TryReserve(1, MemoryClaimant.Persist));
    }

    [Fact]
    public async Task A_new_query_waits_for_memory_and_is_answered_when_it_comes_back()
    {
        var process = new ProcessMemory(32L << 20, shares: new MemoryShares(QueryWait: TimeSpan.FromMinutes(5)));
        var engine = Engine(process, queryLimit: 64L << 20);
        Assert.True(process.TryReserve(20L << 20)); // another query
        var query = engine.ExecuteAsync("db", "SELECT * FROM cpu", CancellationToken.None);
        await WaitUntil(() => process.Waiting == 1 || query.IsCompleted);
        Assert.False(query.IsCompleted);
        process.Release(20L << 20);
        var result = await query;
        Assert.Equal(6, result.Batches.Sum(b => b.Length));
        Assert.Equal(0, process.Used);
    }

    [Fact]
    public async Task A_query_whose_wait_runs_out_gets_the_retryable_error_naming_the_wait()
    {
        var process = new ProcessMemory(32L << 20, shares: new MemoryShares(QueryWait: TimeSpan.FromMilliseconds(20)));
        var engine = Engine(process, queryLimit: 64L << 20);
        Assert.True(process.TryReserve(20L << 20));
        var ex = await Assert.ThrowsAsync<QueryLimitException>(() => engine.ExecuteAsync("db", "SELECT * FROM cpu", CancellationToken.None));
        Assert.Equal(QueryLimit.ProcessMemory, ex.Limit);
        Assert.Equal("the server is short of memory: a new query needed 16 MiB and waited 0.02 s for it; 20 MiB of the 32 MiB that queries, persists and compactions share is reserved; retry later", ex.Message);
        Assert.Equal(20L << 20, process.Used);
    }

    [Fact]
    public async Task A_scans_later_batch_waits_for_memory_instead_of_cutting_an_answer_under_way()
    {
        // The first batch fits and goes out (the answer has started); the second is larger than the first and needs
        // more than the budget has now. It waits in line and goes on when memory comes back; without a wait (as
        // before) the same scan fails after its first batch, which cuts a streamed answer.
        var small = MemoryTableSource.Cpu(("a", T0, 1.0, 1));
        var large = MemoryTableSource.Cpu([.. Enumerable.Range(0, 64).Select(i => ((string?)"b", T0 + i, (double?)i, (long?)i))]);
        var (s1, s2) = (Execution.QueryMemoryPool.SizeOf(small), Execution.QueryMemoryPool.SizeOf(large));
        Assert.True(s2 > s1);
        foreach (var wait in new[] { TimeSpan.FromMinutes(5), TimeSpan.Zero })
        {
            var process = new ProcessMemory(1L << 20, shares: new MemoryShares(QueryWait: wait));
            // Another query holds all but the scan's first decode (2 × 16 bytes) and its first batch.
            var other = (1L << 20) - 32 - s1;
            Assert.True(process.TryReserve(other));
            await using var scan = Execution.ScanMemory.ReserveAsync(Batches(small, large), process, batchBytes: 16, window: 1, CancellationToken.None).GetAsyncEnumerator();
            Assert.True(await scan.MoveNextAsync());
            Assert.Same(small, scan.Current);
            var next = scan.MoveNextAsync().AsTask();
            if (wait == TimeSpan.Zero)
            {
                var ex = await Assert.ThrowsAsync<QueryLimitException>(() => next);
                Assert.StartsWith("the server is short of memory: a scan (the pages it decodes) needed ", ex.Message, StringComparison.Ordinal);
                continue;
            }
            await WaitUntil(() => process.Waiting == 1 || next.IsCompleted);
            Assert.False(next.IsCompleted);
            process.Release(other);
            Assert.True(await next);
            Assert.Same(large, scan.Current);
            Assert.False(await scan.MoveNextAsync());
        }

        static async IAsyncEnumerable<Arrow.Arrays.RecordBatch> Batches(params Arrow.Arrays.RecordBatch[] batches)
        {
            foreach (var batch in batches)
            {
                await Task.Yield();
                yield return batch;
            }
        }
    }

    /// <summary>Polls a state that another task reaches (no time limit asserted: the test run's own timeout applies).</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(10);
        }
    }

    private static SqlEngine Engine(ProcessMemory process, long queryLimit)
    {
        var source = new MemoryTableSource();
        source.Add("cpu", MemoryTableSource.CpuSchema,
            MemoryTableSource.Cpu(("a", T0, 10.0, 1), ("b", T0, 20.0, 2), ("a", T0 + (60 * S), null, 3)),
            MemoryTableSource.Cpu(("b", T0 + (60 * S), 40.0, null), ("c", T0 + (120 * S) + 1, 50.0, 5), (null, T0 + (180 * S), 60.0, 6)));
        return new SqlEngine(new QueryExecutor(source, TimeProvider.System, new QueryEngineOptions { MaxQueryMemoryBytes = queryLimit, ProcessMemory = process }));
    }
}
