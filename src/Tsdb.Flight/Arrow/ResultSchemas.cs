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
            if (field.GetMetadata(ColumnKindNames.IoxMetadataKey) is null && ColumnTypes.KindOf(field.Type) is { } kind)
            {
                metadata = [.. field.Metadata, new(ColumnKindNames.IoxMetadataKey, ColumnKindNames.IoxType(kind))];
            }
            fields[i] = new Field(field.Name, type, field.IsNullable, metadata);
        }
        return new Schema(fields, schema.Metadata);
    }

    /// <summary>A table's schema from the catalog, as Flight SQL describes it (tags as utf8).</summary>
    public static Schema ForTable(Catalog.TableDefinition table, bool decodeDictionaries)
    {
        var fields = new List<Field>(table.Columns.Count);
        foreach (var column in table.Columns)
        {
            var type = column.Kind == ColumnKind.Tag && decodeDictionaries ? ArrowType.Utf8 : ColumnTypes.Of(column.Kind);
            fields.Add(new Field(column.Name, type, column.Kind != ColumnKind.Time, [new(ColumnKindNames.IoxMetadataKey, ColumnKindNames.IoxType(column.Kind))]));
        }
        return new Schema(fields);
    }
}
