using System.Text;
using System.Text.Json;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Tsdb.Query.InfluxQL;

namespace Tsdb.Flight.Arrow;

/// <summary>
/// What an InfluxQL answer's schema says beyond its types, as InfluxDB 3 sends it: the GROUP BY tag columns marked
/// <c>iox::column_type::tag</c> (they are utf8, which the type-based kinds would call string fields), and the schema's
/// <c>iox::influxql::group_key::metadata</c>: where the measurement column and each GROUP BY tag column are.
/// </summary>
internal static class InfluxQLResultSchema
{
    public const string GroupKeyMetadataKey = "iox::influxql::group_key::metadata";

    public static Schema Annotate(Schema schema, InfluxQLShape shape)
    {
        if (!shape.HasName)
        {
            return schema;   // SHOW answers: no series
        }
        var fields = schema.Fields.ToArray();
        var valueNames = fields.Skip(shape.FirstValue).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("measurement_column_index", 0);
            json.WriteStartArray("tag_key_columns");
            for (var i = shape.FirstTag; i < shape.FirstValue && i < fields.Length; i++)
            {
                var f = fields[i];
                if (f.GetMetadata(ColumnKindNames.IoxMetadataKey) is null)
                {
                    fields[i] = new Field(f.Name, f.Type, f.IsNullable, [.. f.Metadata, new(ColumnKindNames.IoxMetadataKey, ColumnKindNames.IoxType(ColumnKind.Tag))]);
                }
                json.WriteStartObject();
                json.WriteString("tag_key", f.Name);
                json.WriteNumber("column_index", i);
                json.WriteBoolean("is_projected", valueNames.Contains(f.Name));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return new Schema(fields, [.. schema.Metadata.Where(m => m.Key != GroupKeyMetadataKey), new(GroupKeyMetadataKey, Encoding.UTF8.GetString(buffer.ToArray()))]);
    }
}
