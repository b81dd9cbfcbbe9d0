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

    public static Relation ForTable(string database, string table, Schema schema)
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
