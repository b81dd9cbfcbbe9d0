using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Execution;

/// <summary>
/// Reads a stored table through <see cref="ITableSource"/> with its pushdowns (columns, time range, tag values), aligns
/// each batch to the projected columns, and applies the filter exactly — up to one batch per core at a time, handed
/// out in scan order. With a fetch it stops once enough rows passed.
/// </summary>
internal sealed class ScanExec(string database, string table, Schema schema, Expr? filter, long? fetch) : ExecutionPlan
{
    public override Schema Schema { get; } = schema;

    public override IReadOnlyList<ExecutionPlan> Children => [];

    public Expr? Filter { get; } = filter;

    private readonly TimeRangeShortcut? _shortcut = TimeRangeShortcut.Of(filter, schema);

    public long? Fetch { get; } = fetch;

    public ScanRequest Request(string? db = null)
    {
        var (from, to) = ScanPushdown.TimeRange(Filter, Schema);
        return new ScanRequest(db ?? database, table)
        {
            Columns = [.. Schema.Fields.Select(f => f.Name)],
            FromTime = from,
            ToTime = to,
            TagValues = ScanPushdown.TagValues(Filter, Schema),
        };
    }

    public override string Describe()
    {
        var request = Request();
        var text = $"ScanExec: table={table}, projection=[{string.Join(", ", Schema.Fields.Select(f => f.Name))}]";
        if (Filter is not null)
        {
            text += $", filter={Filter}";
        }
        if (request.FromTime is not null || request.ToTime is not null)
        {
            text += $", time=[{(request.FromTime is { } f ? TimeText.FormatTimestamp(f) : "-inf")}, {(request.ToTime is { } t ? TimeText.FormatTimestamp(t) : "+inf")}]";
        }
        foreach (var (tag, values) in request.TagValues)
        {
            text += $", {tag} in ({string.Join(", ", values.Select(v => "'" + v + "'"))})";
        }
        if (Fetch is not null)
        {
            text += $", fetch={Fetch}";
        }
        return text;
    }

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        var ct = context.CancellationToken;
        if (Fetch is 0)
        {
            yield break;
        }
        long sent = 0;
        // A LIMIT without ORDER BY usually stops after its first batch: nothing is read ahead for it.
        var width = Fetch is null ? context.Parallelism : 1;
        await foreach (var batch in InParallel(context.Scan(Request(), Metrics.AddChunks), raw => Process(raw, context), width, ct, raw => raw.Length < context.InlineRows).ConfigureAwait(false))
        {
            if (batch.Length == 0)
            {
                continue;
            }
            var output = batch;
            if (Fetch is { } f && sent + output.Length > f)
            {
                output = output.Slice(0, (int)(f - sent));
            }
            sent += output.Length;
            yield return output;
            if (Fetch is { } max && sent >= max)
            {
                yield break;
            }
        }
    }

    /// <summary>A stored batch aligned to the projected columns, with only the rows the filter keeps (also run inside a <see cref="FusedScan"/>'s tasks).</summary>
    internal RecordBatch Process(RecordBatch raw, TaskContext context)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        var batch = Align(raw, Schema);
        if (Filter is null)
        {
            return batch;
        }
        // Storage hands out whole pages around the asked time range: most batches lie inside it, where the time terms
        // are true for every row and only the rest of the filter needs evaluating.
        var filter = _shortcut is { } shortcut && shortcut.Covers(batch) ? shortcut.Rest : Filter;
        return filter is null ? batch : Selection.Filter(batch, filter.EvaluateMask(batch, context.Eval));
    }

    /// <summary>
    /// The filter's terms that compare the time column with a timestamp constant, read as an inclusive range, and the
    /// filter without them: for a batch whose times all lie in the range the rest decides alone.
    /// </summary>
    private sealed record TimeRangeShortcut(int Column, long From, long To, Expr? Rest)
    {
        public static TimeRangeShortcut? Of(Expr? filter, Schema schema)
        {
            if (filter is null)
            {
                return null;
            }
            var timeTerms = new List<Expr>();
            var rest = new List<Expr>();
            int? column = null;
            foreach (var term in Predicates.Conjuncts(filter))
            {
                if (TimeTermColumn(term, schema) is { } c && (column is null || column == c))
                {
                    column = c;
                    timeTerms.Add(term);
                }
                else
                {
                    rest.Add(term);
                }
            }
            if (column is not { } time)
            {
                return null;
            }
            var (from, to) = TimeBounds.Of(Predicates.And(timeTerms), e => e is ColumnExpr ce && ce.Index == time);
            return new TimeRangeShortcut(time, from ?? long.MinValue, to ?? long.MaxValue, Predicates.And(rest));
        }

        /// <summary>The nanosecond time column that <c>column op constant</c> (or <c>constant op column</c>) compares, for = &lt; &lt;= &gt; &gt;=.</summary>
        private static int? TimeTermColumn(Expr term, Schema schema)
        {
            if (term is not BinaryExpr { Op: BinaryOp.Equal or BinaryOp.Less or BinaryOp.LessOrEqual or BinaryOp.Greater or BinaryOp.GreaterOrEqual } b)
            {
                return null;
            }
            var (column, constant) = b.Left is ColumnExpr ? (b.Left, b.Right) : (b.Right, b.Left);
            return column is ColumnExpr c && constant is LiteralExpr { Value: TimestampScalar } && c.Index < schema.FieldCount
                && schema[c.Index].Type is { Id: ArrowTypeId.Timestamp, Unit: TimeUnit.Nanosecond } ? c.Index : null;
        }

        /// <summary>Whether every row of the batch has a time inside the range (no nulls).</summary>
        public bool Covers(RecordBatch batch)
        {
            if (batch.Column(Column) is not TimestampArray times || times.NullCount != 0 || times.Length == 0)
            {
                return false;
            }
            var values = times.Values;
            var min = long.MaxValue;
            var max = long.MinValue;
            foreach (var v in values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            return min >= From && max <= To;
        }
    }

    /// <summary>
    /// <paramref name="process"/> over every input batch on the thread pool, up to <paramref name="width"/> at a time,
    /// results in input order. Stopping early or failing lets the batches in flight finish, their failures observed.
    /// The first batch waits for a second before it goes to the pool: a scan of one batch (a selective query) is
    /// processed on the reading thread, without two thread hops that cost more than the work. So is every batch
    /// <paramref name="small"/> calls small (<see cref="TaskContext.InlineRows"/>), in its place in the order.
    /// </summary>
    internal static async IAsyncEnumerable<T> InParallel<TIn, T>(IAsyncEnumerable<TIn> input, Func<TIn, T> process, int width, [EnumeratorCancellation] CancellationToken ct, Func<TIn, bool>? small = null)
    {
        var running = new Queue<Task<T>>();
        var first = default(TIn);
        var holding = false;
        var seen = 0L;
        try
        {
            await foreach (var raw in input.WithCancellation(ct).ConfigureAwait(false))
            {
                if (width <= 1)
                {
                    running.Enqueue(Task.FromResult(process(raw)));
                }
                else if (small?.Invoke(raw) == true)
                {
                    if (holding)
                    {
                        var held = first!;
                        (first, holding) = (default, false);
                        running.Enqueue(Task.Run(() => process(held), ct));
                    }
                    running.Enqueue(Task.FromResult(process(raw)));
                }
                else if (seen++ == 0)
                {
                    (first, holding) = (raw, true);
                    continue;
                }
                else
                {
                    if (holding)
                    {
                        var held = first!;
                        (first, holding) = (default, false);
                        running.Enqueue(Task.Run(() => process(held), ct));
                    }
                    running.Enqueue(Task.Run(() => process(raw), ct));
                }
                while (running.Count >= width)
                {
                    yield return await running.Dequeue().ConfigureAwait(false);
                }
            }
            if (holding)
            {
                // After the small batches before it, if any.
                var only = first!;
                (first, holding) = (default, false);
                running.Enqueue(Task.FromResult(process(only)));
            }
            while (running.Count > 0)
            {
                yield return await running.Dequeue().ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var task in running)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (Exception) when (task.IsFaulted || task.IsCanceled)
                {
                }
            }
        }
    }

    /// <summary>A scanned batch with exactly the projected columns, in order (a column a file lacks reads as nulls).</summary>
    internal static RecordBatch Align(RecordBatch batch, Schema schema)
    {
        var columns = new ArrowArray[schema.FieldCount];
        var same = batch.ColumnCount == schema.FieldCount;
        for (var c = 0; c < columns.Length; c++)
        {
            var index = batch.Schema.GetFieldIndex(schema[c].Name);
            same &= index == c;
            columns[c] = index >= 0 ? batch.Column(index) : NullColumn(schema[c].Type, batch.Length);
        }
        return same ? batch : new RecordBatch(new Schema(schema.Fields.Select((f, i) => new Field(f.Name, columns[i].Type))), columns, batch.Length);
    }

    internal static ArrowArray NullColumn(ArrowType type, int length)
    {
        if (type.Id == ArrowTypeId.Dictionary)
        {
            // Stays a dictionary, so every batch of a table has the same column types.
            using var builder = new DictionaryArrayBuilder();
            for (var i = 0; i < length; i++)
            {
                builder.AppendNull();
            }
            return builder.Build();
        }
        if (type.Id == ArrowTypeId.Utf8)
        {
            return Columns.FromStrings(new string?[length]);
        }
        if (type.Id == ArrowTypeId.Boolean)
        {
            return Columns.FromBools(new bool?[length]);
        }
        var width = Math.Max(1, type.BitWidth / 8);
        return ArrowArray.Create(new ArrayData(type, length, length, [new byte[(length + 7) / 8], new byte[length * width]]));
    }
}
