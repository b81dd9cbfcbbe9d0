using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Plans;

namespace Tsdb.Query;

/// <summary>
/// The views of <c>information_schema</c> and <c>system</c> and the SHOW statements, built in memory when a query
/// names them (their rows are small): tables, columns, persisted Parquet files and the query log.
/// </summary>
public sealed class MetadataViews(ITableSource source, QueryLog log)
{
    /// <summary>The views answered here, listed in information_schema.tables as VIEW.</summary>
    private static readonly (string Schema, string Name)[] Views =
        [("information_schema", "columns"), ("information_schema", "tables"), ("system", "parquet_files"), ("system", "queries")];

    public LogicalPlan ShowTables(string database)
    {
        var tables = source.Tables(database).Order(StringComparer.Ordinal).ToArray();
        var n = tables.Length;
        return Values("SHOW TABLES",
            [("table_catalog", Columns.Constant("public", n)), ("table_schema", Columns.Constant("iox", n)),
             ("table_name", Columns.FromStrings(tables)), ("table_type", Columns.Constant("BASE TABLE", n))], n);
    }

    public LogicalPlan? ShowColumns(string database, string table)
    {
        if (source.GetSchema(database, table) is not { } schema)
        {
            return null;
        }
        var n = schema.FieldCount;
        var names = new string?[n];
        var types = new string?[n];
        for (var i = 0; i < n; i++)
        {
            names[i] = schema[i].Name;
            types[i] = TypeName(schema[i].Type);
        }
        return Values("SHOW COLUMNS",
            [("table_catalog", Columns.Constant("public", n)), ("table_schema", Columns.Constant("iox", n)),
             ("table_name", Columns.Constant(table, n)), ("column_name", Columns.FromStrings(names)),
             ("data_type", Columns.FromStrings(types)), ("is_nullable", Columns.Constant("YES", n))], n);
    }

    /// <summary>The view <paramref name="schemaName"/>.<paramref name="viewName"/>, or null when there is none of that name.</summary>
    public LogicalPlan? View(string database, string schemaName, string viewName)
    {
        schemaName = schemaName.ToLowerInvariant();
        viewName = viewName.ToLowerInvariant();
        var title = schemaName + "." + viewName;
        switch (schemaName, viewName)
        {
            case ("information_schema", "tables"):
            {
                var rows = new List<(string Schema, string Name, string Type)>();
                rows.AddRange(source.Tables(database).Order(StringComparer.Ordinal).Select(t => ("iox", t, "BASE TABLE")));
                rows.AddRange(Views.Select(v => (v.Schema, v.Name, "VIEW")));
                var n = rows.Count;
                return Values(title,
                    [("table_catalog", Columns.Constant("public", n)), ("table_schema", Columns.FromStrings([.. rows.Select(r => r.Schema)])),
                     ("table_name", Columns.FromStrings([.. rows.Select(r => r.Name)])), ("table_type", Columns.FromStrings([.. rows.Select(r => r.Type)]))], n);
            }
            case ("information_schema", "columns"):
            {
                var rows = new List<(string Table, string Column, ulong Ordinal, string Type, string Nullable)>();
                foreach (var t in source.Tables(database).Order(StringComparer.Ordinal))
                {
                    if (source.GetSchema(database, t) is { } schema)
                    {
                        rows.AddRange(schema.Fields.Select((f, i) => (t, f.Name, (ulong)i, TypeName(f.Type), f.IsNullable ? "YES" : "NO")));
                    }
                }
                var n = rows.Count;
                return Values(title,
                    [("table_catalog", Columns.Constant("public", n)), ("table_schema", Columns.Constant("iox", n)),
                     ("table_name", Columns.FromStrings([.. rows.Select(r => r.Table)])), ("column_name", Columns.FromStrings([.. rows.Select(r => r.Column)])),
                     ("ordinal_position", Columns.FromValues(ArrowType.UInt64, [.. rows.Select(r => r.Ordinal)], null)),
                     ("data_type", Columns.FromStrings([.. rows.Select(r => r.Type)])), ("is_nullable", Columns.FromStrings([.. rows.Select(r => r.Nullable)]))], n);
            }
            case ("system", "parquet_files"):
            {
                var files = source.Files(database).OrderBy(f => f.Table, StringComparer.Ordinal).ThenBy(f => f.MinTime).ThenBy(f => f.Path, StringComparer.Ordinal).ToArray();
                var n = files.Length;
                return Values(title,
                    [("table_name", Columns.FromStrings([.. files.Select(f => f.Table)])), ("partition", Columns.FromStrings([.. files.Select(f => f.Partition)])),
                     ("path", Columns.FromStrings([.. files.Select(f => f.Path)])), ("size_bytes", Columns.FromValues(ArrowType.Int64, [.. files.Select(f => f.SizeBytes)], null)),
                     ("row_count", Columns.FromValues(ArrowType.Int64, [.. files.Select(f => f.RowCount)], null)),
                     ("min_time", Columns.FromValues(ArrowType.Int64, [.. files.Select(f => f.MinTime)], null)),
                     ("max_time", Columns.FromValues(ArrowType.Int64, [.. files.Select(f => f.MaxTime)], null))], n);
            }
            case ("system", "queries"):
            {
                var entries = log.Entries(database);
                var n = entries.Count;
                return Values(title,
                    [("id", Columns.FromValues(ArrowType.Int64, [.. entries.Select(e => e.Id)], null)),
                     ("issue_time", Columns.FromValues(ArrowType.TimestampNanosecond, [.. entries.Select(e => e.IssueTimeNs)], null)),
                     ("query_type", Columns.FromStrings([.. entries.Select(e => e.QueryType)])), ("query_text", Columns.FromStrings([.. entries.Select(e => e.Text)])),
                     ("running", Columns.FromBools([.. entries.Select(e => (bool?)(e.Outcome == QueryOutcome.Running))])),
                     ("success", Columns.FromBools([.. entries.Select(e => e.Outcome == QueryOutcome.Running ? null : (bool?)(e.Outcome == QueryOutcome.Success))])),
                     ("cancelled", Columns.FromBools([.. entries.Select(e => (bool?)(e.Outcome == QueryOutcome.Cancelled))])),
                     ("end2end_duration_ms", Columns.FromValues(ArrowType.Float64, [.. entries.Select(e => e.Duration.TotalMilliseconds)], null)),
                     ("error", Columns.FromStrings([.. entries.Select(e => e.Error)])),
                     ("progress", Columns.FromStrings([.. entries.Select(e => e.Progress?.Invoke())]))], n);
            }
            default:
                return null;
        }
    }

    public static string TypeName(ArrowType t) => t.Id switch
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

    private static ValuesPlan Values(string name, IReadOnlyList<(string Name, ArrowArray Array)> columns, int length)
    {
        var schema = new Schema(columns.Select(c => new Field(c.Name, c.Array.Type)));
        return new ValuesPlan(schema, [new RecordBatch(schema, [.. columns.Select(c => c.Array)], length)], name);
    }
}
