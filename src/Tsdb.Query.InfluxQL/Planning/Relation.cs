using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;
using Tsdb.Query.Plans;

namespace Tsdb.Query.InfluxQL.Planning;

/// <summary>
/// One FROM source as the planner sees it: a plan and which of its columns are the time, the tags and the fields. A
/// measurement is a table scan; a subquery is the inner statement's plan, its GROUP BY tags as tags and its values as
/// fields.
/// </summary>
internal sealed class Relation
{
    public required LogicalPlan Plan { get; init; }

    /// <summary>The series name: a constant for a table, the inner <c>iox::measurement</c> column for a subquery.</summary>
    public required Expr Measurement { get; init; }

    public required int Time { get; init; }

    public required IReadOnlyDictionary<string, int> Tags { get; init; }

    public required IReadOnlyDictionary<string, int> Fields { get; init; }

    public Schema Schema => Plan.Schema;

    public ColumnExpr Column(int index) => new(index, Schema[index].Name, Schema[index].Type);

    // A table's relation is the same for every query while its schema is (sources keep one schema object per table
    // definition): built once, not per query.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Schema, Relation> Tables = [];

    public static Relation ForTable(string database, string table, Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (Tables.TryGetValue(schema, out var known) && known.Plan is ScanPlan scan
            && string.Equals(scan.Database, database, StringComparison.Ordinal) && string.Equals(scan.Table, table, StringComparison.Ordinal))
        {
            return known;
        }
        var relation = Build(database, table, schema);
        Tables.AddOrUpdate(schema, relation);
        return relation;
    }

    private static Relation Build(string database, string table, Schema schema)
    {
        var tags = new Dictionary<string, int>(StringComparer.Ordinal);
        var fields = new Dictionary<string, int>(StringComparer.Ordinal);
        var time = -1;
        for (var i = 0; i < schema.FieldCount; i++)
        {
            var f = schema[i];
            if (f.Type.Id == ArrowTypeId.Timestamp && f.Name == "time")
            {
                time = i;
            }
            else if (f.Type.Id == ArrowTypeId.Dictionary)
            {
                tags[f.Name] = i;
            }
            else
            {
                fields[f.Name] = i;
            }
        }
        if (time < 0)
        {
            throw new QueryException($"measurement {table} has no time column");
        }
        return new Relation
        {
            Plan = new ScanPlan(database, table, schema, [.. Enumerable.Range(0, schema.FieldCount)]),
            Measurement = new LiteralExpr(table, ArrowType.Utf8),
            Time = time,
            Tags = tags,
            Fields = fields,
        };
    }
}
