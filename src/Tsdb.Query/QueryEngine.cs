using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Query.Sql;

namespace Tsdb.Query;

/// <summary>
/// Answers one SQL statement over an <see cref="ITableSource"/>: scan (with the time range taken from WHERE) →
/// filter → aggregate → having → project → distinct → sort → distinct on → offset/limit. Subqueries, CTEs and UNION ALL
/// inputs are materialised first; joins are hash joins over materialised inputs.
/// </summary>
public sealed class QueryEngine(ITableSource source, TimeProvider time, QueryEngineOptions? options = null)
{
    private readonly QueryEngineOptions _options = options ?? new QueryEngineOptions();
    private readonly QueryLog _log = new(time);
    private int _running;

    public QueryEngineOptions Options => _options;

    /// <summary>Running and recently finished statements (<c>system.queries</c>).</summary>
    public QueryLog Log => _log;

    public Task<QueryResult> ExecuteAsync(string database, string sql, CancellationToken cancellationToken) =>
        ExecuteAsync(database, sql, null, cancellationToken);

    /// <summary>
    /// Answers <paramref name="sql"/>, its <c>$name</c> parameters bound from <paramref name="parameters"/> (string,
    /// long, double, bool or null values). Throws <see cref="QueryException"/> for a query it cannot answer and
    /// <see cref="QueryLimitException"/> when a limit of <see cref="QueryEngineOptions"/> is reached.
    /// </summary>
    public async Task<QueryResult> ExecuteAsync(string database, string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sql);
        TakeSlot();
        var entry = _log.Start(database, sql);
        var outcome = QueryOutcome.Failed;
        string? error = null;
        try
        {
            var result = await RunStatementAsync(database, sql, parameters, cancellationToken).ConfigureAwait(false);
            outcome = QueryOutcome.Success;
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = QueryOutcome.Cancelled;
            throw;
        }
        catch (Exception ex)
        {
            error = ex.Message;
            throw;
        }
        finally
        {
            _log.Finish(entry, outcome, error);
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>
    /// Like <see cref="ExecuteAsync(string, string, IReadOnlyDictionary{string, object?}?, CancellationToken)"/>, but
    /// a row query over one table (no grouping, aggregates, ORDER BY, DISTINCT or OFFSET; LIMIT allowed) is streamed:
    /// names, types and the WHERE clause are checked first (a bad query still throws here), then each scanned batch is
    /// filtered, projected and handed out. The concurrency slot is held until the stream is read or disposed.
    /// </summary>
    public async Task<QueryStream> ExecuteStreamAsync(string database, string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sql);
        Statement statement;
        try
        {
            statement = SqlParser.Parse(sql);
        }
        catch (SqlParseException ex)
        {
            throw new QueryException(ex.Detail, ex.Line, ex.Column);
        }
        var text = new QueryText(sql) { Parameters = parameters ?? new Dictionary<string, object?>(), Budget = new MemoryBudget(_options.MaxQueryMemoryBytes) };
        if (statement is not SelectStatement select || !IsStreamable(select, text, out var table))
        {
            var result = await ExecuteAsync(database, sql, parameters, cancellationToken).ConfigureAwait(false);
            return new QueryStream(result.Schema, result.Batches.ToAsyncEnumerable(), streamed: false, () => { });
        }
        TakeSlot();
        var entry = _log.Start(database, sql);
        var outcome = QueryOutcome.Failed;
        string? error = null;
        var released = false;
        void Release()
        {
            if (!released)
            {
                released = true;
                _log.Finish(entry, outcome, error);
                Interlocked.Decrement(ref _running);
            }
        }
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
            var schema = source.GetSchema(database, table.Name.Parts[0].Value) ?? throw text.Error(table.Name.Span, $"unknown table '{table.Name.Parts[0].Value}'");
            schema = Project(schema, text);
            var body = select with { Limit = null };
            // Checks names, types and WHERE on no rows, so a bad query fails before anything is sent.
            var empty = Empty(schema);
            if (select.Where is not null)
            {
                _ = new Evaluator(text, now) { Batch = empty, Length = 0 }.Predicate(select.Where);
            }
            var shape = Execute(body, empty, text, now).Schema;
            var limit = Count(select.Limit, text, "LIMIT");
            return new QueryStream(shape, Stream(), streamed: true, Release);

            async IAsyncEnumerable<RecordBatch> Stream()
            {
                long sent = 0;
                var completed = false;
                try
                {
                    if (limit is 0)
                    {
                        completed = true;
                        yield break;
                    }
                    var request = ScanRequestFor(database, table.Name.Parts[0].Value, schema, select.Where, new Evaluator(text, now) { Length = 0 });
                    await foreach (var raw in source.ScanAsync(request, cancellationToken).ConfigureAwait(false))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var batch = Filtered(raw, schema, select.Where, text, now);
                        if (batch.Length == 0)
                        {
                            continue;
                        }
                        var output = Execute(body, batch, text, now).Batches[0];
                        if (limit is { } l && sent + output.Length > l)
                        {
                            output = output.Slice(0, (int)(l - sent));
                        }
                        sent += output.Length;
                        yield return output;
                        if (limit is { } max && sent >= max)
                        {
                            break;
                        }
                    }
                    completed = true;
                }
                finally
                {
                    outcome = completed ? QueryOutcome.Success : cancellationToken.IsCancellationRequested ? QueryOutcome.Cancelled : QueryOutcome.Failed;
                    error = completed || cancellationToken.IsCancellationRequested ? null : "the stream ended early (an error while reading, or the client went away)";
                }
            }
        }
        catch (Exception ex)
        {
            error = ex.Message;
            Release();
            throw;
        }
    }

    /// <summary>Takes one of the concurrent-query slots, or refuses at once when none is free.</summary>
    private void TakeSlot()
    {
        if (Interlocked.Increment(ref _running) > _options.MaxConcurrentQueries)
        {
            Interlocked.Decrement(ref _running);
            throw new QueryLimitException(QueryLimit.Concurrency,
                $"too many queries are running (the limit is {_options.MaxConcurrentQueries} at a time); retry later");
        }
    }

    /// <summary>What a scan of <paramref name="table"/> pushes to storage: the projected columns, and the time range and tag values of WHERE.</summary>
    private static ScanRequest ScanRequestFor(string database, string table, Schema projected, Expression? where, Evaluator constants)
    {
        var (from, to) = where is null ? (null, null) : TimeRange.Extract(where, constants);
        return new ScanRequest(database, table)
        {
            Columns = [.. projected.Fields.Select(f => f.Name)],
            FromTime = from,
            ToTime = to,
            TagValues = where is null ? new Dictionary<string, IReadOnlyList<string>>() : TagPredicates.Extract(where, projected, constants),
        };
    }

    /// <summary>A row query over one stored table that needs no whole-result step (see <see cref="ExecuteStreamAsync"/>).</summary>
    private static bool IsStreamable(SelectStatement select, QueryText text, out NamedTableSource table)
    {
        table = null!;
        if (select.With.Count > 0 || select.From is not NamedTableSource { Name.Parts.Count: 1 } named || select.GroupBy.Count > 0 || select.Having is not null
            || select.Distinct || select.DistinctOn is { Count: > 0 } || select.OrderBy.Count > 0 || select.Offset is not null)
        {
            return false;
        }
        var aggregates = new List<Expression>();
        foreach (var item in select.Projection)
        {
            if (item is ExpressionSelectItem e)
            {
                CollectAggregates(e.Expression, aggregates, text);
            }
        }
        table = named;
        return aggregates.Count == 0;
    }

    private async Task<QueryResult> RunStatementAsync(string database, string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken)
    {
        Statement statement;
        try
        {
            statement = SqlParser.Parse(sql);
        }
        catch (SqlParseException ex)
        {
            throw new QueryException(ex.Detail, ex.Line, ex.Column);
        }
        var text = new QueryText(sql)
        {
            Parameters = parameters ?? new Dictionary<string, object?>(),
            Budget = new MemoryBudget(_options.MaxQueryMemoryBytes),
        };
        return statement switch
        {
            ShowTablesStatement => ShowTables(database),
            ShowColumnsStatement show => ShowColumns(database, show, text),
            QueryStatement query => await QueryAsync(database, query, text, cancellationToken).ConfigureAwait(false),
            ExplainStatement e => throw text.Error(e.Span, "EXPLAIN is not supported yet"),
            _ => throw text.Error(statement.Span, "this statement is not supported yet"),
        };
    }

    private QueryResult ShowTables(string database)
    {
        var tables = source.Tables(database).Order(StringComparer.Ordinal).ToArray();
        var n = tables.Length;
        return Result(
            [("table_catalog", Columns.Constant("public", n)), ("table_schema", Columns.Constant("iox", n)),
             ("table_name", Columns.FromStrings(tables)), ("table_type", Columns.Constant("BASE TABLE", n))], n);
    }

    private QueryResult ShowColumns(string database, ShowColumnsStatement show, QueryText text)
    {
        var name = show.Table.Parts[^1].Value;
        var schema = source.GetSchema(database, name) ?? throw text.Error(show.Table.Span, $"unknown table '{name}'");
        var n = schema.FieldCount;
        var names = new string?[n];
        var types = new string?[n];
        for (var i = 0; i < n; i++)
        {
            names[i] = schema[i].Name;
            types[i] = TypeName(schema[i].Type);
        }
        return Result(
            [("table_catalog", Columns.Constant("public", n)), ("table_schema", Columns.Constant("iox", n)),
             ("table_name", Columns.Constant(name, n)), ("column_name", Columns.FromStrings(names)),
             ("data_type", Columns.FromStrings(types)), ("is_nullable", Columns.Constant("YES", n))], n);
    }

    /// <summary>The views of <c>information_schema</c> and <c>system</c>, by (schema, name); null for any other name.</summary>
    private RecordBatch? Metadata(string database, ObjectName name)
    {
        if (name.Parts.Count != 2)
        {
            return null;
        }
        var (schemaName, viewName) = (name.Parts[0].Value.ToLowerInvariant(), name.Parts[1].Value.ToLowerInvariant());
        var tables = source.Tables(database).Order(StringComparer.Ordinal).ToArray();
        switch (schemaName, viewName)
        {
            case ("information_schema", "tables"):
            {
                var rows = new List<(string Schema, string Name, string Type)>();
                rows.AddRange(tables.Select(t => ("iox", t, "BASE TABLE")));
                rows.AddRange(Views.Select(v => (v.Schema, v.Name, "VIEW")));
                var n = rows.Count;
                return Result(
                    [("table_catalog", Columns.Constant("public", n)), ("table_schema", Columns.FromStrings([.. rows.Select(r => r.Schema)])),
                     ("table_name", Columns.FromStrings([.. rows.Select(r => r.Name)])), ("table_type", Columns.FromStrings([.. rows.Select(r => r.Type)]))], n).Batches[0];
            }
            case ("information_schema", "columns"):
            {
                var rows = new List<(string Table, string Column, ulong Ordinal, string Type, string Nullable)>();
                foreach (var t in tables)
                {
                    var schema = source.GetSchema(database, t);
                    if (schema is not null)
                    {
                        rows.AddRange(schema.Fields.Select((f, i) => (t, f.Name, (ulong)i, TypeName(f.Type), f.IsNullable ? "YES" : "NO")));
                    }
                }
                var n = rows.Count;
                return Result(
                    [("table_catalog", Columns.Constant("public", n)), ("table_schema", Columns.Constant("iox", n)),
                     ("table_name", Columns.FromStrings([.. rows.Select(r => r.Table)])), ("column_name", Columns.FromStrings([.. rows.Select(r => r.Column)])),
                     ("ordinal_position", Columns.FromValues(ArrowType.UInt64, [.. rows.Select(r => r.Ordinal)], null)),
                     ("data_type", Columns.FromStrings([.. rows.Select(r => r.Type)])), ("is_nullable", Columns.FromStrings([.. rows.Select(r => r.Nullable)]))], n).Batches[0];
            }
            case ("system", "parquet_files"):
            {
                var files = source.Files(database).OrderBy(f => f.Table, StringComparer.Ordinal).ThenBy(f => f.MinTime).ThenBy(f => f.Path, StringComparer.Ordinal).ToArray();
                var n = files.Length;
                return Result(
                    [("table_name", Columns.FromStrings([.. files.Select(f => f.Table)])), ("partition", Columns.FromStrings([.. files.Select(f => f.Partition)])),
                     ("path", Columns.FromStrings([.. files.Select(f => f.Path)])), ("size_bytes", Columns.FromValues(ArrowType.Int64, [.. files.Select(f => f.SizeBytes)], null)),
                     ("row_count", Columns.FromValues(ArrowType.Int64, [.. files.Select(f => f.RowCount)], null)),
                     ("min_time", Columns.FromValues(ArrowType.Int64, [.. files.Select(f => f.MinTime)], null)),
                     ("max_time", Columns.FromValues(ArrowType.Int64, [.. files.Select(f => f.MaxTime)], null))], n).Batches[0];
            }
            case ("system", "queries"):
            {
                var entries = _log.Entries(database);
                var n = entries.Count;
                return Result(
                    [("id", Columns.FromValues(ArrowType.Int64, [.. entries.Select(e => e.Id)], null)),
                     ("issue_time", Columns.FromValues(ArrowType.TimestampNanosecond, [.. entries.Select(e => e.IssueTimeNs)], null)),
                     ("query_type", Columns.Constant("sql", n)), ("query_text", Columns.FromStrings([.. entries.Select(e => e.Text)])),
                     ("running", Columns.FromBools([.. entries.Select(e => (bool?)(e.Outcome == QueryOutcome.Running))])),
                     ("success", Columns.FromBools([.. entries.Select(e => e.Outcome == QueryOutcome.Running ? null : (bool?)(e.Outcome == QueryOutcome.Success))])),
                     ("cancelled", Columns.FromBools([.. entries.Select(e => (bool?)(e.Outcome == QueryOutcome.Cancelled))])),
                     ("end2end_duration_ms", Columns.FromValues(ArrowType.Float64, [.. entries.Select(e => e.Duration.TotalMilliseconds)], null)),
                     ("error", Columns.FromStrings([.. entries.Select(e => e.Error)]))], n).Batches[0];
            }
            default:
                return null;
        }
    }

    /// <summary>The metadata views this engine answers, listed in information_schema.tables as VIEW.</summary>
    private static readonly (string Schema, string Name)[] Views =
        [("information_schema", "columns"), ("information_schema", "tables"), ("system", "parquet_files"), ("system", "queries")];

    private static string TypeName(ArrowType t) => t.Id switch
    {
        ArrowTypeId.Timestamp => "Timestamp(Nanosecond, None)",
        ArrowTypeId.Dictionary => "Dictionary(Int32, Utf8)",
        ArrowTypeId.Float64 => "Float64",
        ArrowTypeId.Int64 => "Int64",
        ArrowTypeId.UInt64 => "UInt64",
        ArrowTypeId.Utf8 => "Utf8",
        ArrowTypeId.Boolean => "Boolean",
        _ => t.ToString(),
    };

    private static QueryResult Result(IReadOnlyList<(string Name, ArrowArray Array)> columns, int length)
    {
        var schema = new Schema(columns.Select(c => new Field(c.Name, c.Array.Type)));
        return new QueryResult(schema, [new RecordBatch(schema, [.. columns.Select(c => c.Array)], length)]);
    }

    private async Task<QueryResult> QueryAsync(string database, QueryStatement query, QueryText text, CancellationToken cancellationToken)
    {
        var batch = await RunAsync(database, query, text, new Dictionary<string, RecordBatch>(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        text.Budget.Charge(batch);
        return new QueryResult(batch.Schema, [batch]);
    }

    /// <summary>One query's rows, materialised: subqueries and CTEs become in-memory table sources.</summary>
    private async Task<RecordBatch> RunAsync(string database, QueryStatement query, QueryText text, Dictionary<string, RecordBatch> ctes, CancellationToken cancellationToken)
    {
        var with = query switch { SelectStatement s => s.With, UnionAllStatement u => u.With, _ => [] };
        if (with.Count > 0)
        {
            ctes = new Dictionary<string, RecordBatch>(ctes, StringComparer.Ordinal);
            foreach (var cte in with)
            {
                var rows = await RunAsync(database, cte.Query, text, ctes, cancellationToken).ConfigureAwait(false);
                text.Budget.Charge(rows);
                ctes[cte.Name.Value] = cte.Columns.Count == 0 ? rows : Rename(rows, cte.Columns, text, cte.Span);
            }
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
        switch (query)
        {
            case SelectStatement select:
            {
                var result = await SelectAsync(database, select, text, ctes, now, cancellationToken).ConfigureAwait(false);
                return result.Batches[0];
            }
            case UnionAllStatement union:
            {
                var parts = new List<RecordBatch>();
                foreach (var input in union.Inputs)
                {
                    var part = await RunAsync(database, input, text, ctes, cancellationToken).ConfigureAwait(false);
                    if (parts.Count > 0 && part.ColumnCount != parts[0].ColumnCount)
                    {
                        throw text.Error(input.Span, $"each UNION ALL input must have {parts[0].ColumnCount} columns, this one has {part.ColumnCount}");
                    }
                    parts.Add(part);
                }
                var all = UnionRows(parts);
                if (union.OrderBy.Count == 0 && union.Limit is null && union.Offset is null)
                {
                    return all;
                }
                var outer = new SelectStatement([], false, null, [new WildcardSelectItem(null, union.Span)], null, null, [], null, union.OrderBy, union.Limit, union.Offset, union.Span);
                return Execute(outer, all, text, now).Batches[0];
            }
            default:
                throw text.Error(query.Span, "this query is not supported yet");
        }
    }

    private static RecordBatch Rename(RecordBatch batch, IReadOnlyList<Identifier> names, QueryText text, TextSpan at)
    {
        if (names.Count != batch.ColumnCount)
        {
            throw text.Error(at, $"{names.Count} column names given for {batch.ColumnCount} columns");
        }
        var schema = new Schema(names.Select((n, i) => new Field(n.Value, batch.Column(i).Type)));
        return new RecordBatch(schema, [.. batch.Columns], batch.Length);
    }

    /// <summary>The rows of every input, by position, under the first input's names; column types are unified.</summary>
    private static RecordBatch UnionRows(List<RecordBatch> parts)
    {
        var total = parts.Sum(p => p.Length);
        var columns = new ArrowArray[parts[0].ColumnCount];
        for (var c = 0; c < columns.Length; c++)
        {
            var pieces = parts.Select(p => Columns.Plain(p.Column(c))).ToList();
            if (pieces.Select(p => p.Type.Id).Distinct().Count() == 1)
            {
                ArrayData? data = null;
                foreach (var p in pieces)
                {
                    data = data is null ? p.Data : ArrayConcatenation.Concatenate(data, p.Data);
                }
                columns[c] = ArrowArray.Create(data!);
                continue;
            }
            // Different types: one Choose over all rows, each piece padded with nulls elsewhere.
            var pick = new int[total];
            var padded = new List<ArrowArray?>();
            var at = 0;
            for (var p = 0; p < pieces.Count; p++)
            {
                var indices = new int[total];
                indices.AsSpan().Fill(-1);
                for (var i = 0; i < pieces[p].Length; i++)
                {
                    indices[at + i] = i;
                    pick[at + i] = p;
                }
                padded.Add(Selection.Take(pieces[p], indices));
                at += pieces[p].Length;
            }
            columns[c] = Columns.Choose(padded, pick, total);
        }
        var schema = new Schema(parts[0].Schema.Fields.Select((f, i) => new Field(f.Name, columns[i].Type)));
        return new RecordBatch(schema, columns, total);
    }

    private async Task<QueryResult> SelectAsync(string database, SelectStatement select, QueryText text, Dictionary<string, RecordBatch> ctes, long now, CancellationToken cancellationToken)
    {
        if (select.From is null)
        {
            // SELECT 1, SELECT now(), … (clients' health checks): one row with no columns to evaluate on.
            var one = new RecordBatch(new Schema([]), [], 1);
            if (select.Where is not null)
            {
                one = Selection.Filter(one, new Evaluator(text, now) { Batch = one, Length = 1 }.Predicate(select.Where));
            }
            return Execute(select, one, text, now);
        }
        RecordBatch input;
        if (select.From is NamedTableSource table && !(table.Name.Parts.Count == 1 && ctes.ContainsKey(table.Name.Parts[0].Value)))
        {
            var partial = PartialAggregationFor(database, select, table, text, now);
            input = await ScanAsync(database, table, select.Where, text, now, cancellationToken, Reduction(select, text), partial).ConfigureAwait(false);
            if (partial?.Finish() is { } aggregated)
            {
                return Execute(select, input, text, now, aggregated);
            }
        }
        else
        {
            input = await SourceAsync(database, select.From, text, ctes, now, cancellationToken).ConfigureAwait(false);
            if (select.Where is not null)
            {
                var mask = new Evaluator(text, now) { Batch = input, Length = input.Length }.Predicate(select.Where);
                input = Selection.Filter(input, mask);
            }
        }
        return Execute(select, input, text, now);
    }

    /// <summary>
    /// A <see cref="PartialAggregation"/> when the statement groups a table's rows with aggregates whose states
    /// combine (and no * in the select list); null otherwise, and the rows are grouped all at once after the scan.
    /// </summary>
    private PartialAggregation? PartialAggregationFor(string database, SelectStatement select, NamedTableSource table, QueryText text, long now)
    {
        if (table.Name.Parts.Count != 1 || select.Projection.Any(p => p is WildcardSelectItem)
            || source.GetSchema(database, table.Name.Parts[0].Value) is not { } schema)
        {
            return null;
        }
        var items = SelectItems(select, schema);
        var aggregates = AggregatesOf(select, items, new HashSet<string>(items.Select(i => i.Name), StringComparer.Ordinal), text);
        if ((select.GroupBy.Count == 0 && aggregates.Count == 0) || !aggregates.All(PartialAggregation.Supports))
        {
            return null;
        }
        return new PartialAggregation(GroupExpressions(select, items, schema, text), aggregates, select.Having, text, now);
    }

    /// <summary>The rows of a FROM item without any WHERE; join inputs get their columns qualified ("alias.column").</summary>
    private async Task<RecordBatch> SourceAsync(string database, TableSource from, QueryText text, Dictionary<string, RecordBatch> ctes, long now, CancellationToken cancellationToken)
    {
        switch (from)
        {
            case NamedTableSource n when n.Name.Parts.Count == 1 && ctes.TryGetValue(n.Name.Parts[0].Value, out var cte):
                return cte;
            case NamedTableSource n:
                return await ScanAsync(database, n, null, text, now, cancellationToken).ConfigureAwait(false);
            case SubqueryTableSource s:
                return await RunAsync(database, s.Query, text, ctes, cancellationToken).ConfigureAwait(false);
            case JoinTableSource j:
            {
                var left = Qualify(await SourceAsync(database, j.Left, text, ctes, now, cancellationToken).ConfigureAwait(false), j.Left);
                var right = Qualify(await SourceAsync(database, j.Right, text, ctes, now, cancellationToken).ConfigureAwait(false), j.Right);
                var joined = Joins.Join(j, left, right, text, now);
                text.Budget.Charge(joined);
                return joined;
            }
            default:
                throw text.Error(from.Span, "this FROM clause is not supported yet");
        }
    }

    /// <summary>Columns renamed "alias.column" (the table name when there is no alias); nested joins are already qualified.</summary>
    private static RecordBatch Qualify(RecordBatch batch, TableSource source)
    {
        var qualifier = source switch
        {
            NamedTableSource n => n.Alias?.Value ?? n.Name.Parts[^1].Value,
            SubqueryTableSource s => s.Alias?.Value,
            _ => null,
        };
        if (qualifier is null)
        {
            return batch;
        }
        var schema = new Schema(batch.Schema.Fields.Select(f => new Field(qualifier + "." + f.Name, f.Type)));
        return new RecordBatch(schema, [.. batch.Columns], batch.Length);
    }

    /// <summary>How a plain row query lets the scan drop rows early (see <see cref="Reduction"/>).</summary>
    private sealed record ScanReduction(long? Rows, List<(Expression Key, bool Descending, bool NullsFirst)>? Order, List<Expression>? DistinctOn);

    /// <summary>
    /// For a row query without grouping, aggregates, HAVING or DISTINCT: with a LIMIT, how many input rows can matter
    /// (OFFSET + LIMIT); the ORDER BY keys and DISTINCT ON keys as expressions over the table's columns. The scan then
    /// stops early (LIMIT, no ORDER BY), keeps each batch's top rows (ORDER BY … LIMIT) or each batch's first row
    /// per DISTINCT ON key in ORDER BY order (the global first row of a key is the first of its batch). Null when
    /// the query needs every row.
    /// </summary>
    private static ScanReduction? Reduction(SelectStatement select, QueryText text)
    {
        var distinctOn = select.DistinctOn is { Count: > 0 } on ? on : null;
        if ((select.Limit is null && (distinctOn is null || select.OrderBy.Count == 0)) || select.GroupBy.Count > 0 || select.Having is not null || select.Distinct)
        {
            return null;
        }
        var aggregates = new List<Expression>();
        var items = new List<ExpressionSelectItem>();
        foreach (var item in select.Projection)
        {
            if (item is ExpressionSelectItem e)
            {
                CollectAggregates(e.Expression, aggregates, text);
                items.Add(e);
            }
        }
        foreach (var o in select.OrderBy)
        {
            CollectAggregates(o.Expression, aggregates, text);
        }
        if (aggregates.Count > 0)
        {
            return null;
        }
        var hasStar = select.Projection.Any(p => p is WildcardSelectItem);
        Expression? Resolve(Expression key) => key switch
        {
            // A position: only resolvable here when no * precedes it in the select list.
            IntegerLiteral ordinal => hasStar || ordinal.Value < 1 || ordinal.Value > items.Count ? null : items[(int)ordinal.Value - 1].Expression,
            ColumnReference { Parts.Count: 1 } c when items.FirstOrDefault(i => i.Alias?.Value == c.Parts[0].Value) is { } aliased => aliased.Expression,
            _ => key,
        };
        var keys = new List<(Expression, bool, bool)>();
        foreach (var o in select.OrderBy)
        {
            if (Resolve(o.Expression) is not { } key)
            {
                return null;
            }
            keys.Add((key, o.Descending, o.NullsFirst ?? o.Descending));
        }
        List<Expression>? distinctKeys = null;
        if (distinctOn is not null)
        {
            distinctKeys = [];
            foreach (var d in distinctOn)
            {
                if (Resolve(d) is not { } key)
                {
                    return null;
                }
                distinctKeys.Add(key);
            }
        }
        long? rows = select.Limit is null ? null : Count(select.Limit, text, "LIMIT")!.Value + (Count(select.Offset, text, "OFFSET") ?? 0);
        if (distinctKeys is not null)
        {
            rows = null;   // LIMIT counts distinct keys, not rows: only the per-key reduction applies
        }
        return new ScanReduction(rows, keys.Count == 0 ? null : keys, distinctKeys);
    }

    /// <summary>
    /// What of a batch can reach the result: its first <c>Rows</c> rows in ORDER BY order, or its first row per
    /// DISTINCT ON key in that order. The batch itself when the keys cannot be evaluated on the table's columns.
    /// </summary>
    private static RecordBatch Reduce(RecordBatch batch, ScanReduction reduction, QueryText text, long now)
    {
        if (reduction.Order is not { } order || (reduction.DistinctOn is null && batch.Length <= reduction.Rows))
        {
            return batch;
        }
        var evaluator = new Evaluator(text, now) { Batch = batch, Length = batch.Length };
        List<(ArrowArray, bool, bool)> keys;
        ArrowArray[]? distinct = null;
        try
        {
            keys = [.. order.Select(o => (evaluator.Materialize(evaluator.Eval(o.Key)), o.Descending, o.NullsFirst))];
            distinct = reduction.DistinctOn?.Select(d => evaluator.Materialize(evaluator.Eval(d))).ToArray();
        }
        catch (QueryException)
        {
            return batch;   // a key only the projected rows can answer: the final pass reports or handles it
        }
        if (distinct is not null)
        {
            var firsts = FirstRowPerKey(distinct, keys);
            Array.Sort(firsts);   // keep scan order among survivors, so ties resolve as a full sort would
            return Selection.Take(batch, firsts);
        }
        var top = Sorting.TopK(keys, (int)Math.Min(reduction.Rows!.Value, batch.Length));
        Array.Sort(top);
        return Selection.Take(batch, top);
    }

    /// <param name="partial">When set, each filtered batch is grouped into it instead of kept, and the result is empty.</param>
    private async Task<RecordBatch> ScanAsync(string database, NamedTableSource table, Expression? where, QueryText text, long now, CancellationToken cancellationToken,
        ScanReduction? reduction = null, PartialAggregation? partial = null)
    {
        if (table.Name.Parts.Count > 1)
        {
            var view = Metadata(database, table.Name) ?? throw text.Error(table.Name.Span, $"unknown table '{SqlPrinter.Print(table.Name)}'");
            if (where is not null)
            {
                var mask = new Evaluator(text, now) { Batch = view, Length = view.Length }.Predicate(where);
                view = Selection.Filter(view, mask);
            }
            return view;
        }
        var tableName = table.Name.Parts[0].Value;
        var schema = source.GetSchema(database, tableName) ?? throw text.Error(table.Name.Span, $"unknown table '{tableName}'");
        schema = Project(schema, text);

        // Scan and filter, partition by partition; the source prunes by time range and tag values.
        var request = ScanRequestFor(database, tableName, schema, where, new Evaluator(text, now) { Length = 0 });
        if (partial is not null)
        {
            await ScanIntoAsync(request, schema, where, text, now, partial, cancellationToken).ConfigureAwait(false);
            return Empty(schema);
        }
        RecordBatch Process(RecordBatch raw)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Filtered(raw, schema, where, text, now);
            return reduction is null ? batch : Reduce(batch, reduction, text, now);
        }
        var filtered = new List<RecordBatch>();
        long kept = 0;
        // LIMIT without ORDER BY usually stops after its first batch: no batch is read ahead for it.
        var earlyStop = reduction is { Order: null, DistinctOn: null, Rows: not null };
        await foreach (var batch in ScanInParallelAsync(request, Process, earlyStop ? 1 : ParallelBatches, cancellationToken).ConfigureAwait(false))
        {
            if (batch.Length > 0)
            {
                text.Budget.Charge(batch);
                filtered.Add(batch);
                kept += batch.Length;
            }
            if (reduction is { Order: null, DistinctOn: null, Rows: { } enough } && kept >= enough)
            {
                break;   // LIMIT without ORDER BY: any rows will do, and these are enough
            }
        }
        var input = filtered.Count == 0 ? Empty(schema) : Columns.Concatenate(filtered[0].Schema, filtered);
        if (filtered.Count > 1)
        {
            text.Budget.Charge(input);
        }
        if (filtered.Count == 0 && where is not null)
        {
            _ = new Evaluator(text, now) { Batch = input, Length = 0 }.Predicate(where);
        }
        return input;
    }

    /// <summary>Filters and groups each scanned batch into <paramref name="partial"/>; partial states are kept in scan order.</summary>
    private async Task ScanIntoAsync(ScanRequest request, Schema schema, Expression? where, QueryText text, long now, PartialAggregation partial, CancellationToken cancellationToken)
    {
        ArrowArray[]? Process(RecordBatch raw)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return partial.Partial(Filtered(raw, schema, where, text, now));
        }
        var sawRows = false;
        await foreach (var state in ScanInParallelAsync(request, Process, ParallelBatches, cancellationToken).ConfigureAwait(false))
        {
            sawRows = true;
            partial.Add(state);
        }
        if (!sawRows && where is not null)
        {
            _ = new Evaluator(text, now) { Batch = Empty(schema), Length = 0 }.Predicate(where);   // a bad WHERE still fails
        }
    }

    /// <summary>A scanned batch in the statement's schema, with only the rows WHERE keeps.</summary>
    private static RecordBatch Filtered(RecordBatch raw, Schema schema, Expression? where, QueryText text, long now)
    {
        var batch = Align(raw, schema);
        return where is null ? batch : Selection.Filter(batch, new Evaluator(text, now) { Batch = batch, Length = batch.Length }.Predicate(where));
    }

    private static readonly int ParallelBatches = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// <paramref name="process"/> applied to every scanned batch on the thread pool, up to <paramref name="width"/> at
    /// a time (one per core: filtering, reducing and grouping are where a query over many rows spends its time), the
    /// results handed out in scan order. Stopping early or failing lets the batches in flight finish, their own failures observed.
    /// </summary>
    private async IAsyncEnumerable<T> ScanInParallelAsync<T>(ScanRequest request, Func<RecordBatch, T> process, int width, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var running = new Queue<Task<T>>();
        try
        {
            await foreach (var raw in source.ScanAsync(request, cancellationToken).ConfigureAwait(false))
            {
                running.Enqueue(Task.Run(() => process(raw), cancellationToken));
                while (running.Count >= width)
                {
                    yield return await running.Dequeue().ConfigureAwait(false);
                }
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

    /// <summary>
    /// The table's columns the statement can use: all of them under a <c>*</c>, otherwise those whose names occur in
    /// the text (always keeping time, so a scan has rows to count even when no column is named).
    /// </summary>
    private static Schema Project(Schema schema, QueryText text)
    {
        if (text.HasWildcard)
        {
            return schema;
        }
        var named = text.Identifiers;
        var fields = schema.Fields.Where(f => f.Name == "time" || named.Contains(f.Name) || named.Contains(f.Name.ToLowerInvariant())).ToList();
        return fields.Count == schema.FieldCount ? schema : new Schema(fields, schema.Metadata);
    }

    private static RecordBatch Align(RecordBatch batch, Schema schema)
    {
        var columns = new ArrowArray[schema.FieldCount];
        var same = batch.ColumnCount == schema.FieldCount;
        for (var c = 0; c < columns.Length; c++)
        {
            var index = batch.Schema.GetFieldIndex(schema[c].Name);
            same &= index == c;
            columns[c] = index >= 0 ? batch.Column(index) : EmptyOrNull(schema[c].Type, batch.Length);
        }
        return same ? batch : new RecordBatch(new Schema(schema.Fields.Select((f, i) => new Field(f.Name, columns[i].Type))), columns, batch.Length);
    }

    private static ArrowArray EmptyOrNull(ArrowType type, int length)
    {
        if (type.Id == ArrowTypeId.Dictionary)
        {
            // Stays a dictionary, so every batch of a table has the same column types (a streamed answer's schema
            // is its first batch's).
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
        return Columns.NullOf(type, length);
    }

    private static RecordBatch Empty(Schema schema)
    {
        var columns = schema.Fields.Select(f => EmptyOrNull(f.Type, 0)).ToArray();
        return new RecordBatch(new Schema(schema.Fields.Select((f, i) => new Field(f.Name, columns[i].Type))), columns, 0);
    }

    /// <summary>The select list, with * expanded over <paramref name="schema"/>, each with its output name.</summary>
    private static List<(Expression Expr, string Name)> SelectItems(SelectStatement select, Schema schema)
    {
        var items = new List<(Expression Expr, string Name)>();
        foreach (var item in select.Projection)
        {
            if (item is WildcardSelectItem)
            {
                foreach (var f in schema.Fields)
                {
                    items.Add((new ColumnReference([new Identifier(f.Name, true, item.Span)], item.Span), f.Name));
                }
            }
            else if (item is ExpressionSelectItem e)
            {
                items.Add((e.Expression, e.Alias?.Value ?? (e.Expression is ColumnReference c ? c.Parts[^1].Value : SqlPrinter.Print(e.Expression))));
            }
        }
        return items;
    }

    /// <summary>The aggregate calls of the select list, HAVING and ORDER BY (keys that are not output names or positions).</summary>
    private static List<Expression> AggregatesOf(SelectStatement select, List<(Expression Expr, string Name)> items, HashSet<string> names, QueryText text)
    {
        var aggregates = new List<Expression>();
        foreach (var (expr, _) in items)
        {
            CollectAggregates(expr, aggregates, text);
        }
        if (select.Having is not null)
        {
            CollectAggregates(select.Having, aggregates, text);
        }
        foreach (var o in select.OrderBy)
        {
            if (!IsOutputReference(o.Expression, names))
            {
                CollectAggregates(o.Expression, aggregates, text);
            }
        }
        return aggregates;
    }

    /// <param name="aggregated">Groups already computed during the scan (<see cref="PartialAggregation"/>); null to aggregate <paramref name="input"/> here.</param>
    private static QueryResult Execute(SelectStatement select, RecordBatch input, QueryText text, long now, Evaluator? aggregated = null)
    {
        var items = SelectItems(select, input.Schema);
        var names = new HashSet<string>(items.Select(i => i.Name), StringComparer.Ordinal);
        var aggregates = AggregatesOf(select, items, names, text);

        Evaluator evaluator = new(text, now) { Batch = input, Length = input.Length };
        if (aggregated is not null)
        {
            evaluator = aggregated;
        }
        else if (select.GroupBy.Count > 0 || aggregates.Count > 0)
        {
            evaluator = Aggregate(select, items, aggregates, evaluator, input, text, now);
        }

        var outputs = new ArrowArray[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            outputs[i] = evaluator.Materialize(evaluator.Eval(items[i].Expr));
        }
        var rows = evaluator.Length;
        int[]? order = null;
        var distinctOnDone = false;

        if (select.Distinct && rows > 0)
        {
            order = FirstOfEachGroup(outputs, null);
        }
        if (select.OrderBy.Count > 0 && rows > 0)
        {
            var keys = new List<(ArrowArray, bool, bool)>();
            foreach (var o in select.OrderBy)
            {
                ArrowArray key;
                if (o.Expression is IntegerLiteral ordinal)
                {
                    key = ordinal.Value >= 1 && ordinal.Value <= outputs.Length
                        ? outputs[ordinal.Value - 1]
                        : throw text.Error(o.Expression.Span, $"ORDER BY position {ordinal.Value} is not in the select list");
                }
                else if (o.Expression is ColumnReference { Parts.Count: 1 } c && names.Contains(c.Parts[0].Value))
                {
                    key = outputs[items.FindIndex(i => i.Name == c.Parts[0].Value)];
                }
                else
                {
                    key = evaluator.Materialize(evaluator.Eval(o.Expression));
                }
                if (order is not null)
                {
                    key = Selection.Take(key, order);
                }
                keys.Add((key, o.Descending, o.NullsFirst ?? o.Descending));
            }
            if (order is null && select.DistinctOn is { Count: > 0 } on)
            {
                // DISTINCT ON … ORDER BY: each key's first row in one pass, then only those rows sorted.
                var firsts = FirstRowPerKey([.. on.Select(e => evaluator.Materialize(evaluator.Eval(e)))], keys);
                var survivors = Sorting.SortIndices([.. keys.Select(k => (Selection.Take(k.Item1, firsts), k.Item2, k.Item3))]);
                order = [.. survivors.Select(i => firsts[i])];
                distinctOnDone = true;
            }
            else
            {
                var sorted = Sorting.SortIndices(keys);
                if (order is not null)
                {
                    for (var i = 0; i < sorted.Length; i++)
                    {
                        sorted[i] = order[sorted[i]];
                    }
                }
                order = sorted;
            }
        }
        if (select.DistinctOn is { Count: > 0 } distinctOn && rows > 0 && !distinctOnDone)
        {
            var keys = distinctOn.Select(e => evaluator.Materialize(evaluator.Eval(e))).ToArray();
            order = FirstOfEachGroup(keys, order);
        }

        var offset = Count(select.Offset, text, "OFFSET");
        var limit = Count(select.Limit, text, "LIMIT");
        if (offset is not null || limit is not null)
        {
            order ??= Enumerable.Range(0, rows).ToArray();
            var start = (int)Math.Min(offset ?? 0, order.Length);
            var take = (int)Math.Min(limit ?? long.MaxValue, order.Length - start);
            order = order[start..(start + take)];
        }
        if (order is not null)
        {
            for (var i = 0; i < outputs.Length; i++)
            {
                outputs[i] = Selection.Take(outputs[i], order);
            }
            rows = order.Length;
        }
        return Result([.. items.Select((item, i) => (item.Name, outputs[i]))], rows);
    }

    /// <summary>For each distinct tuple of <paramref name="keys"/> (in order of first appearance), its first row in <paramref name="order"/>'s sort order.</summary>
    private static int[] FirstRowPerKey(ArrowArray[] keys, List<(ArrowArray, bool, bool)> order)
    {
        var ids = Hashing.GroupIds(keys, out var groups);
        return Sorting.FirstPerGroup(order, ids, groups);
    }

    /// <summary>Positions of the first row of each distinct key tuple, taken in <paramref name="order"/>.</summary>
    private static int[] FirstOfEachGroup(IReadOnlyList<ArrowArray> keys, int[]? order)
    {
        var ordered = order is null ? keys : keys.Select(k => Selection.Take(k, order)).ToArray();
        var ids = Hashing.GroupIds(ordered, out var groups);
        var seen = new bool[groups];
        var result = new List<int>(groups);
        for (var i = 0; i < ids.Length; i++)
        {
            if (!seen[ids[i]])
            {
                seen[ids[i]] = true;
                result.Add(order is null ? i : order[i]);
            }
        }
        return [.. result];
    }

    private static long? Count(Expression? e, QueryText text, string what) => e switch
    {
        null => null,
        IntegerLiteral { Value: >= 0 } i => i.Value,
        ParameterExpression p => text.Parameter(p) switch
        {
            long l and >= 0 => l,
            int n and >= 0 => n,
            _ => throw text.Error(e.Span, $"{what} must be a non-negative integer"),
        },
        _ => throw text.Error(e.Span, $"{what} must be a non-negative integer"),
    };

    private static bool IsOutputReference(Expression e, HashSet<string> names) =>
        e is IntegerLiteral || (e is ColumnReference { Parts.Count: 1 } c && names.Contains(c.Parts[0].Value));

    private static void CollectAggregates(Expression e, List<Expression> found, QueryText text)
    {
        if (e is FieldAccessExpression { Operand: FunctionCall selector } access && Evaluator.IsSelector(selector))
        {
            if (selector.Arguments.Count != 2 || selector.Star || selector.Distinct || selector.OrderBy.Count > 0)
            {
                throw text.Error(selector.Span, $"{selector.Name.Value} takes a value and a time");
            }
            if (access.Field is not ("value" or "time"))
            {
                throw text.Error(access.Span, $"{selector.Name.Value} has the fields 'value' and 'time', not '{access.Field}'");
            }
            found.Add(access);
            return;
        }
        if (e is FunctionCall bare && Evaluator.IsSelector(bare))
        {
            throw text.Error(bare.Span, $"use {bare.Name.Value}(…)['value'] or {bare.Name.Value}(…)['time']");
        }
        if (Evaluator.IsAggregate(e))
        {
            var call = (FunctionCall)e;
            var name = call.Name.Value;
            if (call.OrderBy.Count > 0 && name is not ("first_value" or "last_value"))
            {
                throw text.Error(call.Span, $"ORDER BY inside {call.Name.Value}(…) is not supported yet");
            }
            if (name is "approx_percentile_cont")
            {
                if (call.Arguments.Count != 2 || call.Star)
                {
                    throw text.Error(call.Span, $"{name} takes a value and a percentile");
                }
            }
            else if (!call.Star && call.Arguments.Count != 1)
            {
                throw text.Error(call.Span, $"{call.Name.Value} takes one argument");
            }
            if (call.Star && call.Name.Value != "count")
            {
                throw text.Error(call.Span, $"{call.Name.Value}(*) is not valid");
            }
            found.Add(call);
            return;
        }
        foreach (var child in Children(e))
        {
            CollectAggregates(child, found, text);
        }
    }

    private static IEnumerable<Expression> Children(Expression e) => e switch
    {
        BinaryExpression b => [b.Left, b.Right],
        UnaryExpression u => [u.Operand],
        IsNullExpression n => [n.Operand],
        InListExpression i => [i.Operand, .. i.Values],
        BetweenExpression b => [b.Operand, b.Low, b.High],
        LikeExpression l => [l.Operand, l.Pattern],
        FunctionCall f => f.Filter is null ? f.Arguments : [.. f.Arguments, f.Filter],
        FieldAccessExpression f => [f.Operand],
        CastExpression c => [c.Operand],
        CaseExpression c => [.. (c.Operand is null ? [] : new[] { c.Operand }), .. c.Whens.SelectMany(w => new[] { w.Condition, w.Result }), .. (c.Else is null ? [] : new[] { c.Else })],
        _ => [],
    };

    /// <summary>GROUP BY's expressions: positions and output aliases (that are not also table columns) resolved to the select list's expressions.</summary>
    private static List<Expression> GroupExpressions(SelectStatement select, List<(Expression Expr, string Name)> items, Schema schema, QueryText text)
    {
        var groupExprs = new List<Expression>();
        foreach (var g in select.GroupBy)
        {
            if (g is IntegerLiteral ordinal)
            {
                groupExprs.Add(ordinal.Value >= 1 && ordinal.Value <= items.Count
                    ? items[(int)ordinal.Value - 1].Expr
                    : throw text.Error(g.Span, $"GROUP BY position {ordinal.Value} is not in the select list"));
            }
            else if (g is ColumnReference { Parts.Count: 1 } c && schema.GetFieldIndex(c.Parts[0].Value) < 0 && items.FindIndex(i => i.Name == c.Parts[0].Value) is >= 0 and var at)
            {
                groupExprs.Add(items[at].Expr);
            }
            else
            {
                groupExprs.Add(g);
            }
        }
        foreach (var g in groupExprs)
        {
            var inner = new List<Expression>();
            CollectAggregates(g, inner, text);
            if (inner.Count > 0)
            {
                throw text.Error(g.Span, "aggregate functions are not allowed in GROUP BY");
            }
        }
        return groupExprs;
    }

    /// <summary>Each group's key values, under the printed GROUP BY expression (and a column's bare name).</summary>
    internal static void AddGroupKeys(Dictionary<string, ArrowArray> substitutions, List<Expression> groupExprs, IReadOnlyList<ArrowArray> keyValues)
    {
        for (var k = 0; k < groupExprs.Count; k++)
        {
            substitutions[SqlPrinter.Print(groupExprs[k])] = keyValues[k];
            if (groupExprs[k] is ColumnReference c)
            {
                substitutions.TryAdd(c.Parts[^1].Value, keyValues[k]);
            }
        }
    }

    /// <summary>The groups as an evaluator over their keys and aggregates, with HAVING applied.</summary>
    internal static Evaluator Having(Expression? having, Dictionary<string, ArrowArray> substitutions, int groups, QueryText text, long now)
    {
        var result = new Evaluator(text, now) { Substitutions = substitutions, Length = groups };
        if (having is null)
        {
            return result;
        }
        var mask = result.Predicate(having);
        var kept = new List<int>();
        for (var i = 0; i < groups; i++)
        {
            if (mask.Get(i) == true)
            {
                kept.Add(i);
            }
        }
        var rows = kept.ToArray();
        var filtered = new Dictionary<string, ArrowArray>(StringComparer.Ordinal);
        foreach (var (k, v) in substitutions)
        {
            filtered[k] = Selection.Take(v, rows);
        }
        return new Evaluator(text, now) { Substitutions = filtered, Length = rows.Length };
    }

    private static Evaluator Aggregate(SelectStatement select, List<(Expression Expr, string Name)> items, List<Expression> aggregates, Evaluator rowEval, RecordBatch input, QueryText text, long now)
    {
        var groupExprs = GroupExpressions(select, items, input.Schema, text);
        var keys = groupExprs.Select(g => rowEval.Materialize(rowEval.Eval(g))).ToArray();
        int[] ids;
        int groups;
        if (keys.Length == 0)
        {
            ids = new int[input.Length];
            groups = 1;
        }
        else if (input.Length == 0)
        {
            ids = [];
            groups = 0;
        }
        else
        {
            ids = Hashing.GroupIds(keys, out groups);
        }
        var firstRows = PartialAggregation.FirstRows(ids, groups);
        var substitutions = new Dictionary<string, ArrowArray>(StringComparer.Ordinal);
        AddGroupKeys(substitutions, groupExprs, [.. keys.Select(k => Selection.Take(k, firstRows))]);
        foreach (var aggregate in aggregates)
        {
            var key = SqlPrinter.Print(aggregate);
            if (substitutions.ContainsKey(key))
            {
                continue;
            }
            var (call, field) = aggregate is FieldAccessExpression fa ? ((FunctionCall)fa.Operand, fa.Field) : ((FunctionCall)aggregate, null);

            // FILTER (WHERE …): the aggregate sees only the rows that pass.
            int[]? filterRows = null;
            var callIds = ids;
            if (call.Filter is not null)
            {
                var filterMask = rowEval.Predicate(call.Filter);
                filterRows = [.. Enumerable.Range(0, ids.Length).Where(i => filterMask.Get(i) == true)];
                callIds = [.. filterRows.Select(i => ids[i])];
            }
            ArrowArray Arg(Expression e)
            {
                var a = rowEval.Materialize(rowEval.Eval(e));
                return filterRows is null ? a : Selection.Take(a, filterRows);
            }
            var argument = call.Star ? null : Arg(call.Arguments[0]);
            try
            {
                substitutions[key] = call.Name.Value switch
                {
                    _ when field is not null => Aggregates.Selector(call.Name.Value, argument!, Arg(call.Arguments[1]), field == "time", callIds, groups),
                    "first_value" or "last_value" => Aggregates.FirstLast(
                        argument!,
                        [.. call.OrderBy.Select(o => (Arg(o.Expression), o.Descending, o.NullsFirst ?? o.Descending))],
                        call.Name.Value == "last_value",
                        callIds,
                        groups),
                    "approx_percentile_cont" => Aggregates.Percentile(argument!, Percentile(rowEval.Eval(call.Arguments[1]), call.Arguments[1], text), callIds, groups),
                    _ => Aggregates.Compute(call.Name.Value, argument, call.Distinct, callIds, groups),
                };
            }
            catch (QueryException ex) when (ex.Line is null)
            {
                throw text.Error(call.Span, ex.Detail);
            }
            catch (OverflowException)
            {
                throw text.Error(call.Span, "integer overflow");
            }
        }
        return Having(select.Having, substitutions, groups, text, now);
    }

    private static double Percentile(Value v, Expression at, QueryText text) => v.Scalar switch
    {
        double d when d is >= 0 and <= 1 => d,
        long l when l is 0 or 1 => l,
        _ => throw text.Error(at.Span, "the percentile must be a constant between 0 and 1"),
    };
}
