using System.Globalization;
using Tsdb.Flight.Arrow;

namespace Tsdb.Flight;

/// <summary>
/// CommandGetSqlInfo: <c>info_name: uint32 not null, value: dense_union&lt;string_value: utf8, bool_value: bool,
/// bigint_value: int64, int32_bitmask: int32, string_list: list&lt;utf8&gt;, int32_to_int32_list_map:
/// map&lt;int32, list&lt;int32&gt;&gt;&gt;</c> (FlightSql.proto), for the ids this server can answer.
/// </summary>
internal static class SqlInfo
{
    private const sbyte StringValue = 0;
    private const sbyte BoolValue = 1;
    private const sbyte BigintValue = 2;
    private const sbyte Int32Value = 3;
    private const sbyte StringList = 4;

    private static readonly string[] Keywords = ["SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "LIMIT", "OFFSET", "HAVING", "JOIN", "UNION", "WITH", "CASE", "CAST", "DISTINCT"];

    public static NestedFlightResult Build(IReadOnlyCollection<uint> requested, string version)
    {
        var all = new List<(uint Id, sbyte Kind, object Value)>
        {
            (0, StringValue, "tsdb"),                  // FLIGHT_SQL_SERVER_NAME
            (1, StringValue, version),                 // FLIGHT_SQL_SERVER_VERSION
            (2, StringValue, "1.5.0"),                 // FLIGHT_SQL_SERVER_ARROW_VERSION (IPC format version written)
            (3, BoolValue, true),                      // FLIGHT_SQL_SERVER_READ_ONLY: no SQL updates
            (4, BoolValue, true),                      // FLIGHT_SQL_SERVER_SQL
            (5, BoolValue, false),                     // FLIGHT_SQL_SERVER_SUBSTRAIT
            (8, Int32Value, 0),                        // FLIGHT_SQL_SERVER_TRANSACTION: SQL_SUPPORTED_TRANSACTION_NONE
            (9, BoolValue, false),                     // FLIGHT_SQL_SERVER_CANCEL
            (10, BoolValue, false),                    // FLIGHT_SQL_SERVER_BULK_INGESTION (bulk writes go through plain DoPut)
            (100, Int32Value, 0),                      // FLIGHT_SQL_SERVER_STATEMENT_TIMEOUT: none
            (500, BoolValue, false),                   // SQL_DDL_CATALOG
            (501, BoolValue, false),                   // SQL_DDL_SCHEMA
            (502, BoolValue, false),                   // SQL_DDL_TABLE
            (504, StringValue, "\""),                  // SQL_IDENTIFIER_QUOTE_CHAR
            (508, StringList, Keywords),               // SQL_KEYWORDS
        };
        var rows = requested.Count == 0 ? all : all.FindAll(r => requested.Contains(r.Id));
        var names = new List<uint?>();
        var typeIds = new List<sbyte>();
        var offsets = new List<int>();
        var strings = new List<string?>();
        var bools = new List<bool?>();
        var bigints = new List<long?>();
        var ints = new List<int?>();
        var listItems = new List<string?>();
        var listOffsets = new List<int> { 0 };
        var listValid = new List<bool>();
        foreach (var (id, kind, value) in rows)
        {
            names.Add(id);
            typeIds.Add(kind);
            switch (kind)
            {
                case StringValue:
                    offsets.Add(strings.Count);
                    strings.Add((string)value);
                    break;
                case BoolValue:
                    offsets.Add(bools.Count);
                    bools.Add((bool)value);
                    break;
                case BigintValue:
                    offsets.Add(bigints.Count);
                    bigints.Add(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                    break;
                case Int32Value:
                    offsets.Add(ints.Count);
                    ints.Add(Convert.ToInt32(value, CultureInfo.InvariantCulture));
                    break;
                default:
                    offsets.Add(listValid.Count);
                    listItems.AddRange((string[])value);
                    listOffsets.Add(listItems.Count);
                    listValid.Add(true);
                    break;
            }
        }
        var map = NestedColumn.EmptyMap("int32_to_int32_list_map", true,
            NestedColumn.Int32("key", false, []),
            NestedColumn.List("value", true, [0], [], NestedColumn.Int32("item", true, [])));
        var union = NestedColumn.DenseUnion("value", typeIds, offsets,
        [
            NestedColumn.Utf8("string_value", true, strings),
            NestedColumn.Boolean("bool_value", true, bools),
            NestedColumn.Int64("bigint_value", true, bigints),
            NestedColumn.Int32("int32_bitmask", true, ints),
            NestedColumn.List("string_list", true, listOffsets, listValid, NestedColumn.Utf8("item", true, listItems)),
            map,
        ]);
        return new NestedFlightResult([NestedColumn.UInt32("info_name", false, names), union], names.Count);
    }
}
