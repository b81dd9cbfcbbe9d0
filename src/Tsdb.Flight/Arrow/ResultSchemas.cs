using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;

namespace Tsdb.Flight.Arrow;

/// <summary>
/// The schema a query result goes out with. Every field gets <c>iox::column::type</c> metadata, which the InfluxDB 3
/// clients read column kinds from. The engine keeps no field metadata, so the kind is taken from the Arrow type the
/// way storage assigns types: dictionary = tag, timestamp = time, float64/int64/uint64/utf8/bool = fields. For Flight
/// SQL, dictionaries are sent as plain utf8 (Grafana's readers have no dictionary support).
/// </summary>
internal static class ResultSchemas
{
    public static Schema For(Schema schema, bool decodeDictionaries) => For(schema, _ => decodeDictionaries);

    /// <summary>As <see cref="For(Schema, bool)"/>, deciding per column (by index) whether its dictionary is decoded.</summary>
    public static Schema For(Schema schema, Func<int, bool> decodeDictionary)
    {
        var fields = new Field[schema.FieldCount];
        for (var i = 0; i < fields.Length; i++)
        {
            var field = schema[i];
            var type = field.Type.Id == ArrowTypeId.Dictionary && decodeDictionary(i) ? field.Type.ValueType! : field.Type;
            var metadata = field.Metadata;
            if (field.GetMetadata(ColumnKindNames.IoxMetadataKey) is null && KindOf(field.Type) is { } kind)
            {
                metadata = [.. field.Metadata, new(ColumnKindNames.IoxMetadataKey, ColumnKindNames.IoxType(kind))];
            }
            fields[i] = new Field(field.Name, type, field.IsNullable, metadata);
        }
        return new Schema(fields, schema.Metadata);
    }

    /// <summary>The column kind an Arrow type stands for in this database, or null for types storage never makes.</summary>
    public static ColumnKind? KindOf(ArrowType type) => type.Id switch
    {
        ArrowTypeId.Dictionary => ColumnKind.Tag,
        ArrowTypeId.Timestamp => ColumnKind.Time,
        ArrowTypeId.Float64 => ColumnKind.Float,
        ArrowTypeId.Int64 => ColumnKind.Integer,
        ArrowTypeId.UInt64 => ColumnKind.UInteger,
        ArrowTypeId.Utf8 => ColumnKind.String,
        ArrowTypeId.Boolean => ColumnKind.Boolean,
        _ => null,
    };

    /// <summary>A table's schema from the catalog, as Flight SQL describes it (tags as utf8).</summary>
    public static Schema ForTable(Catalog.TableDefinition table, bool decodeDictionaries)
    {
        var fields = new List<Field>(table.Columns.Count);
        foreach (var column in table.Columns)
        {
            var type = column.Kind switch
            {
                ColumnKind.Time => ArrowType.TimestampNanosecond,
                ColumnKind.Tag => decodeDictionaries ? ArrowType.Utf8 : ArrowType.DictionaryUtf8,
                ColumnKind.Float => ArrowType.Float64,
                ColumnKind.Integer => ArrowType.Int64,
                ColumnKind.UInteger => ArrowType.UInt64,
                ColumnKind.String => ArrowType.Utf8,
                _ => ArrowType.Boolean,
            };
            fields.Add(new Field(column.Name, type, column.Kind != ColumnKind.Time, [new(ColumnKindNames.IoxMetadataKey, ColumnKindNames.IoxType(column.Kind))]));
        }
        return new Schema(fields);
    }
}
