using Tsdb.Flight.Arrow;

namespace Tsdb.Flight;

/// <summary>CommandGetXdbcTypeInfo: the SQL types columns of this database have, in the FlightSql.proto result schema.</summary>
internal static class XdbcTypeInfo
{
    // (name, XdbcDataType, column size, unsigned) — XDBC codes follow java.sql.Types (FlightSql.proto XdbcDataType).
    private static readonly (string Name, int DataType, int? Size, bool? Unsigned)[] Types =
    [
        ("BIGINT", -5, 19, false),
        ("BIGINT UNSIGNED", -5, 20, true),
        ("BOOLEAN", -7, 1, null),
        ("DOUBLE", 8, 15, false),
        ("TIMESTAMP", 93, 29, null),
        ("VARCHAR", 12, null, null),
    ];

    public static NestedFlightResult Build(int? dataType)
    {
        var rows = Array.FindAll(Types, t => dataType is null || t.DataType == dataType);
        int?[] Ints(Func<(string Name, int DataType, int? Size, bool? Unsigned), int?> f) => Array.ConvertAll(rows, r => f(r));
        bool?[] Bools(Func<(string Name, int DataType, int? Size, bool? Unsigned), bool?> f) => Array.ConvertAll(rows, r => f(r));
        var listOffsets = new int[rows.Length + 1];
        var listValid = new bool[rows.Length];
        var columns = new[]
        {
            NestedColumn.Utf8("type_name", false, Array.ConvertAll(rows, r => (string?)r.Name)),
            NestedColumn.Int32("data_type", false, Ints(r => r.DataType)),
            NestedColumn.Int32("column_size", true, Ints(r => r.Size)),
            NestedColumn.Utf8("literal_prefix", true, Array.ConvertAll(rows, r => r.DataType is 12 or 93 ? "'" : null)),
            NestedColumn.Utf8("literal_suffix", true, Array.ConvertAll(rows, r => r.DataType is 12 or 93 ? "'" : null)),
            NestedColumn.List("create_params", true, listOffsets, listValid, NestedColumn.Utf8("item", false, [])),
            NestedColumn.Int32("nullable", false, Ints(_ => 1)),              // NULLABILITY_NULLABLE
            NestedColumn.Boolean("case_sensitive", false, Bools(r => r.DataType == 12)),
            NestedColumn.Int32("searchable", false, Ints(_ => 3)),            // SEARCHABLE_FULL
            NestedColumn.Boolean("unsigned_attribute", true, Bools(r => r.Unsigned)),
            NestedColumn.Boolean("fixed_prec_scale", false, Bools(_ => false)),
            NestedColumn.Boolean("auto_increment", true, Bools(_ => false)),
            NestedColumn.Utf8("local_type_name", true, Array.ConvertAll(rows, r => (string?)r.Name)),
            NestedColumn.Int32("minimum_scale", true, Ints(_ => null)),
            NestedColumn.Int32("maximum_scale", true, Ints(_ => null)),
            NestedColumn.Int32("sql_data_type", false, Ints(r => r.DataType)),
            NestedColumn.Int32("datetime_subcode", true, Ints(_ => null)),
            NestedColumn.Int32("num_prec_radix", true, Ints(r => r.DataType is -5 or 8 ? 10 : null)),
            NestedColumn.Int32("interval_precision", true, Ints(_ => null)),
        };
        return new NestedFlightResult(columns, rows.Length);
    }
}
