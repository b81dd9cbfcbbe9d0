using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>SchemaElement</c>: one node of the schema tree, which <see cref="FileMetaData.Schema"/> lists
/// depth first (root first). A group has <see cref="NumChildren"/> and no <see cref="Type"/>; a leaf the reverse.
/// </summary>
public sealed class SchemaElement
{
    /// <summary>1: physical type; leaves only.</summary>
    public PhysicalType? Type { get; set; }

    /// <summary>2: byte length of FIXED_LEN_BYTE_ARRAY values.</summary>
    public int? TypeLength { get; set; }

    /// <summary>3: absent on the root only.</summary>
    public FieldRepetitionType? RepetitionType { get; set; }

    /// <summary>4: required.</summary>
    public string Name { get; set; } = "";

    /// <summary>5: groups only.</summary>
    public int? NumChildren { get; set; }

    /// <summary>6: deprecated, still written alongside <see cref="LogicalType"/> where an equivalent exists.</summary>
    public ConvertedType? ConvertedType { get; set; }

    /// <summary>7: decimal scale (deprecated form).</summary>
    public int? Scale { get; set; }

    /// <summary>8: decimal precision (deprecated form).</summary>
    public int? Precision { get; set; }

    /// <summary>9: the field id of the schema the data came from, if it had one.</summary>
    public int? FieldId { get; set; }

    /// <summary>10.</summary>
    public LogicalType? LogicalType { get; set; }

    internal static SchemaElement Read(ref ThriftCompactReader reader)
    {
        var result = new SchemaElement();
        var hasName = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "SchemaElement.type");
                    result.Type = (PhysicalType)reader.ReadI32();
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I32, "SchemaElement.type_length");
                    result.TypeLength = reader.ReadI32();
                    break;
                case 3:
                    reader.Expect(field, ThriftType.I32, "SchemaElement.repetition_type");
                    result.RepetitionType = (FieldRepetitionType)reader.ReadI32();
                    break;
                case 4:
                    reader.Expect(field, ThriftType.Binary, "SchemaElement.name");
                    result.Name = reader.ReadString();
                    hasName = true;
                    break;
                case 5:
                    reader.Expect(field, ThriftType.I32, "SchemaElement.num_children");
                    result.NumChildren = reader.ReadI32();
                    break;
                case 6:
                    reader.Expect(field, ThriftType.I32, "SchemaElement.converted_type");
                    result.ConvertedType = (ConvertedType)reader.ReadI32();
                    break;
                case 7:
                    reader.Expect(field, ThriftType.I32, "SchemaElement.scale");
                    result.Scale = reader.ReadI32();
                    break;
                case 8:
                    reader.Expect(field, ThriftType.I32, "SchemaElement.precision");
                    result.Precision = reader.ReadI32();
                    break;
                case 9:
                    reader.Expect(field, ThriftType.I32, "SchemaElement.field_id");
                    result.FieldId = reader.ReadI32();
                    break;
                case 10:
                    reader.Expect(field, ThriftType.Struct, "SchemaElement.logicalType");
                    result.LogicalType = LogicalType.Read(ref reader);
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasName, "SchemaElement.name");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        if (Type is { } type)
        {
            writer.WriteI32Field(1, (int)type);
        }
        if (TypeLength is { } typeLength)
        {
            writer.WriteI32Field(2, typeLength);
        }
        if (RepetitionType is { } repetitionType)
        {
            writer.WriteI32Field(3, (int)repetitionType);
        }
        writer.WriteStringField(4, Name);
        if (NumChildren is { } numChildren)
        {
            writer.WriteI32Field(5, numChildren);
        }
        if (ConvertedType is { } convertedType)
        {
            writer.WriteI32Field(6, (int)convertedType);
        }
        if (Scale is { } scale)
        {
            writer.WriteI32Field(7, scale);
        }
        if (Precision is { } precision)
        {
            writer.WriteI32Field(8, precision);
        }
        if (FieldId is { } fieldId)
        {
            writer.WriteI32Field(9, fieldId);
        }
        if (LogicalType is not null)
        {
            writer.WriteFieldHeader(10, ThriftType.Struct);
            LogicalType.Write(writer);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
