using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Query;
using Tsdb.Query.Sql;

namespace Tsdb.Flight;

/// <summary>
/// <c>SELECT 1</c> and other selects of literals without FROM: the health check of Grafana's Flight SQL and InfluxDB
/// data sources. The query engine does not answer a SELECT without FROM yet, so Flight answers these itself (one
/// row; the column named by its alias or its SQL text).
/// </summary>
internal static class ConstantSelect
{
    public static QueryResult? TryAnswer(string sql)
    {
        Statement statement;
        try
        {
            statement = SqlParser.Parse(sql);
        }
        catch (SqlParseException)
        {
            return null;
        }
        if (statement is not SelectStatement { From: null, Where: null, GroupBy.Count: 0, Having: null, With.Count: 0, Limit: null, Offset: null } select)
        {
            return null;
        }
        var fields = new List<Field>();
        var columns = new List<ArrowArray>();
        foreach (var item in select.Projection)
        {
            if (item is not ExpressionSelectItem { Expression: var e } expression || e is not (IntegerLiteral or FloatLiteral or StringLiteral or BooleanLiteral))
            {
                return null;
            }
            var name = expression.Alias?.Value ?? SqlPrinter.Print(e);
            switch (e)
            {
                case IntegerLiteral i:
                    fields.Add(new Field(name, ArrowType.Int64, false));
                    columns.Add(Single<long>(ArrowType.Int64, i.Value));
                    break;
                case FloatLiteral f:
                    fields.Add(new Field(name, ArrowType.Float64, false));
                    columns.Add(Single<double>(ArrowType.Float64, f.Value));
                    break;
                case BooleanLiteral b:
                {
                    fields.Add(new Field(name, ArrowType.Boolean, false));
                    using var builder = new BooleanArrayBuilder();
                    builder.Append(b.Value);
                    columns.Add(builder.Build());
                    break;
                }
                case StringLiteral s:
                    fields.Add(new Field(name, ArrowType.Utf8, false));
                    columns.Add(MetadataArrays.Utf8([s.Value]));
                    break;
            }
        }
        var schema = new Schema(fields);
        return new QueryResult(schema, [new RecordBatch(schema, columns, 1)]);
    }

    private static PrimitiveArray<T> Single<T>(ArrowType type, T value) where T : unmanaged
    {
        using var builder = new PrimitiveArrayBuilder<T>(type);
        builder.Append(value);
        return builder.Build();
    }
}
