using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Execution;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Tests.Conformance;

/// <summary>
/// The contract every physical operator keeps, whatever it computes. Subclassed once per operator; each subclass
/// builds its operator over a <see cref="TestInput"/> (batches of the cpu table, possibly endless or failing).
/// <list type="bullet">
/// <item><b>Batches match <see cref="ExecutionPlan.Schema"/>.</b> Same column count, the same names in the same
/// order, every column as long as the batch, and each batch's own schema describing its arrays. A column's type equals
/// the schema's, with two exceptions: a dictionary and its value type stand for each other (a tag may stay
/// dictionary-encoded or be decoded on the way), and where the schema says Null (an untyped NULL, as in
/// <c>SELECT NULL AS x</c>) the column may have any type as long as every value is null (expressions materialise an
/// untyped NULL as a null Int64 column). A field the schema says is not nullable holds no nulls.</item>
/// <item><b>Empty input is an answer.</b> No batches, or only empty ones, give valid output (an aggregate without
/// GROUP BY one row; most operators none), never an exception.</item>
/// <item><b>Metrics count what was yielded.</b> <see cref="OperatorMetrics.OutputRows"/> and
/// <see cref="OperatorMetrics.OutputBatches"/> equal the rows and batches the consumer got, and
/// <see cref="ExecutionPlan.Display"/> with metrics shows both.</item>
/// <item><b>Cancellation is the operator's own job.</b> The test input ignores the token (as a careless source may);
/// once the token is cancelled the operator throws <see cref="OperationCanceledException"/> after reading at most a
/// few more batches (those already in flight on its parallel slots).</item>
/// <item><b>Failures pass through unchanged, memory is given back.</b> An exception from the input reaches the consumer
/// as the same type (not swallowed, not wrapped), and the pool's <see cref="QueryMemoryPool.Used"/> is 0 once the
/// enumeration is disposed: after an error, after a full run and after the consumer stops at its first batch.</item>
/// <item><b>Operators keep no state between runs.</b> Executing the same tree again (a fresh context) gives the same
/// batches' rows in the same order. Metrics are not reset; they add up over runs.</item>
/// <item><b>Memory limits fail by name.</b> An operator that holds rows (<see cref="MemoryConsumer"/>) run in a pool
/// too small fails with <see cref="QueryLimitException"/> (<see cref="QueryLimit.Memory"/>) whose message names it; a
/// streaming operator holds nothing and answers the same in a one-byte pool. (A sort that can spill is checked for
/// spilling in its own subclass.)</item>
/// </list>
/// </summary>
public abstract class ExecutionPlanConformance : IDisposable
{
    private readonly string _spill = Directory.CreateTempSubdirectory("tsdb-conformance-").FullName;

    /// <summary>The operator under test reading <paramref name="input"/> (plus any fixed inputs it needs).</summary>
    internal abstract ExecutionPlan Create(TestInput input);

    /// <summary>What the operator's context scans; only a scan reads it.</summary>
    internal virtual ITableSource SourceFor(TestInput input) => TestPlans.Source();

    /// <summary>Rows the operator gives when its input has none.</summary>
    internal virtual long RowsFromEmptyInput => 0;

    /// <summary>The pool consumer the operator reserves its rows as (named by a memory-limit failure); null when it streams.</summary>
    internal virtual string? MemoryConsumer => null;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing && Directory.Exists(_spill))
        {
            Directory.Delete(_spill, recursive: true);
        }
    }

    /// <summary>
    /// A context like the executor's, with small output batches so operators that build their own yield several, and
    /// slices of two rows where a scan runs fused with the operator above (so stored batches are cut), every
    /// slice handed to the thread pool however small.
    /// </summary>
    internal TaskContext Context(ITableSource source, long memory = 1L << 30, CancellationToken cancellationToken = default) =>
        new(source, new QueryMemoryPool(memory), new EvalContext(TestPlans.T0 + (3600 * 1_000_000_000L), cancellationToken), new SpillDirectory(_spill), cancellationToken)
        {
            BatchSize = 3,
            Parallelism = 2,
            MorselRows = 2,
            InlineRows = 0,
        };

    internal static async Task<List<RecordBatch>> Run(ExecutionPlan plan, TaskContext context)
    {
        var batches = new List<RecordBatch>();
        await foreach (var batch in plan.ExecuteAsync(context))
        {
            batches.Add(batch);
        }
        return batches;
    }

    /// <summary>The answer as text rows, "v1|v2|…" (NULL for nulls), in output order.</summary>
    internal static List<string> Rows(IEnumerable<RecordBatch> batches)
    {
        var rows = new List<string>();
        foreach (var batch in batches)
        {
            for (var r = 0; r < batch.Length; r++)
            {
                rows.Add(string.Join('|', batch.Columns.Select(c => c.IsNull(r) ? "NULL" : Convert.ToString(c.GetObject(r), CultureInfo.InvariantCulture))));
            }
        }
        return rows;
    }

    /// <summary>The answer over the standard test input, in a pool with room to spare.</summary>
    internal async Task<List<string>> Expected()
    {
        var input = new TestInput(TestPlans.Batches());
        return Rows(await Run(Create(input), Context(SourceFor(input))));
    }

    /// <summary>Checks one output batch against the schema rule in the class comment.</summary>
    internal static void AssertConforms(Schema schema, RecordBatch batch)
    {
        Assert.Equal(schema.FieldCount, batch.ColumnCount);
        Assert.Equal(batch.ColumnCount, batch.Schema.FieldCount);
        Assert.Equal(schema.Fields.Select(f => f.Name), batch.Schema.Fields.Select(f => f.Name));
        for (var i = 0; i < schema.FieldCount; i++)
        {
            var column = batch.Column(i);
            var name = schema[i].Name;
            Assert.True(column.Length == batch.Length, $"column {name} has {column.Length} values in a batch of {batch.Length} rows");
            Assert.True(column.Type == batch.Schema[i].Type, $"column {name} is {column.Type} but its batch's schema says {batch.Schema[i].Type}");
            Assert.True(Compatible(schema[i].Type, column), $"column {name} is {column.Type} but the operator's schema says {schema[i].Type}");
            Assert.True(schema[i].IsNullable || column.NullCount == 0, $"column {name} is not nullable but holds {column.NullCount} nulls");
        }
    }

    private static bool Compatible(ArrowType declared, ArrowArray column) =>
        declared == column.Type
        || (declared.Id == ArrowTypeId.Null && column.NullCount == column.Length)
        || (declared.Id == ArrowTypeId.Dictionary && declared.ValueType == column.Type)
        || (column.Type.Id == ArrowTypeId.Dictionary && column.Type.ValueType == declared);

    [Fact]
    public async Task Every_batch_has_the_schemas_columns_and_types()
    {
        var input = new TestInput(TestPlans.Batches());
        var plan = Create(input);
        var batches = await Run(plan, Context(SourceFor(input)));
        Assert.NotEmpty(batches);
        foreach (var batch in batches)
        {
            AssertConforms(plan.Schema, batch);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task An_input_without_rows_gives_a_valid_answer(int emptyBatches)
    {
        var input = new TestInput([.. Enumerable.Range(0, emptyBatches).Select(_ => MemoryTableSource.Cpu())]);
        var plan = Create(input);
        var context = Context(SourceFor(input));
        var batches = await Run(plan, context);
        foreach (var batch in batches)
        {
            AssertConforms(plan.Schema, batch);
        }
        Assert.Equal(RowsFromEmptyInput, batches.Sum(b => (long)b.Length));
        Assert.Equal(0, context.Memory.Used);
    }

    [Fact]
    public async Task Metrics_count_the_rows_and_batches_yielded()
    {
        var input = new TestInput(TestPlans.Batches());
        var plan = Create(input);
        Assert.DoesNotContain("output_rows", plan.Display(), StringComparison.Ordinal);
        var batches = await Run(plan, Context(SourceFor(input)));
        var rows = batches.Sum(b => (long)b.Length);
        Assert.Equal(rows, plan.Metrics.OutputRows);
        Assert.Equal(batches.Count, plan.Metrics.OutputBatches);
        var firstLine = plan.Display(withMetrics: true).Split('\n')[0];
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"output_rows={rows}, output_batches={batches.Count}"), firstLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_the_token_stops_the_operator_promptly()
    {
        const int cancelAt = 5;
        using var cts = new CancellationTokenSource();
        var input = new TestInput(TestPlans.Batches(), endless: true);
        input.OnYield = n =>
        {
            if (n == cancelAt)
            {
                cts.Cancel();
            }
        };
        var context = Context(SourceFor(input), cancellationToken: cts.Token);
        var plan = Create(input);
        var error = await Record.ExceptionAsync(() => Run(plan, context));
        if (error is null)
        {
            // Only an operator that had its answer before the cancel (a LIMIT) may finish normally.
            Assert.False(cts.IsCancellationRequested, "the operator finished normally after its token was cancelled");
        }
        else
        {
            Assert.IsAssignableFrom<OperationCanceledException>(error);
        }
        // Promptly: only the batches already in flight on the operator's parallel slots are read after the cancel.
        Assert.InRange(input.Yielded, 0, cancelAt + context.Parallelism + 1);
        Assert.Equal(0, context.Memory.Used);
    }

    [Fact]
    public async Task An_already_cancelled_token_stops_the_operator_before_it_reads_much()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var input = new TestInput(TestPlans.Batches(), endless: true);
        var context = Context(SourceFor(input), cancellationToken: cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Create(input), context));
        Assert.InRange(input.Yielded, 0, context.Parallelism + 1);
        Assert.Equal(0, context.Memory.Used);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_failing_input_fails_the_operator_with_the_same_exception_and_frees_its_memory(int failAfter)
    {
        var input = new TestInput(TestPlans.Batches(), failAfter: failAfter);
        var context = Context(SourceFor(input));
        var error = await Record.ExceptionAsync(() => Run(Create(input), context));
        if (input.Failed)
        {
            // This exact type: an operator must not wrap the input's failure in its own.
            Assert.IsType<InputFailedException>(error);
        }
        else
        {
            // An operator that had its answer before reaching the failure (a LIMIT) stopped reading in time.
            Assert.Null(error);
        }
        Assert.Equal(0, context.Memory.Used);
    }

    [Fact]
    public async Task A_full_run_gives_its_memory_back()
    {
        var input = new TestInput(TestPlans.Batches());
        var context = Context(SourceFor(input));
        await Run(Create(input), context);
        if (MemoryConsumer is not null)
        {
            // Otherwise the checks that memory comes back would pass for an operator that never reserved any.
            Assert.True(context.Memory.Peak > 0, $"{MemoryConsumer} reserved nothing");
        }
        Assert.Equal(0, context.Memory.Used);
    }

    [Fact]
    public async Task Stopping_after_the_first_batch_gives_the_memory_back()
    {
        var input = new TestInput(TestPlans.Batches());
        var context = Context(SourceFor(input));
        var plan = Create(input);
        var enumerator = plan.ExecuteAsync(context).GetAsyncEnumerator();
        await using (enumerator.ConfigureAwait(false))
        {
            Assert.True(await enumerator.MoveNextAsync());
        }
        Assert.Equal(0, context.Memory.Used);
    }

    [Fact]
    public async Task Running_the_same_tree_twice_gives_the_same_answer()
    {
        var input = new TestInput(TestPlans.Batches());
        var plan = Create(input);
        var first = Rows(await Run(plan, Context(SourceFor(input))));
        var second = Rows(await Run(plan, Context(SourceFor(input))));
        Assert.NotEmpty(first);
        Assert.Equal(first, second);
        Assert.Equal(first, await Expected());
        // The chosen rule for metrics: they are the operator's totals, adding up over runs (EXPLAIN ANALYZE runs once).
        Assert.Equal(2L * first.Count, plan.Metrics.OutputRows);
    }

    [Fact]
    public async Task A_pool_too_small_fails_naming_the_operator_unless_it_streams()
    {
        var expected = await Expected();
        var input = new TestInput(TestPlans.Batches());
        var context = Context(SourceFor(input), memory: 1);
        var plan = Create(input);
        if (MemoryConsumer is null)
        {
            Assert.Equal(expected, Rows(await Run(plan, context)));
        }
        else
        {
            var e = await Assert.ThrowsAsync<QueryLimitException>(() => Run(plan, context));
            Assert.Equal(QueryLimit.Memory, e.Limit);
            Assert.Contains(MemoryConsumer, e.Message, StringComparison.Ordinal);
        }
        Assert.Equal(0, context.Memory.Used);
    }
}
