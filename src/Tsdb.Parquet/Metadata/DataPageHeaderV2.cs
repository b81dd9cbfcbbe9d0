using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>DataPageHeaderV2</c>: levels first and never compressed (their byte lengths are here), then the
/// values, compressed if <see cref="IsCompressed"/>.
/// </summary>
public sealed class DataPageHeaderV2
{
    /// <summary>1: required; values including nulls.</summary>
    public int NumValues { get; set; }

    /// <summary>2: required.</summary>
    public int NumNulls { get; set; }

    /// <summary>3: required.</summary>
    public int NumRows { get; set; }

    /// <summary>4: required.</summary>
    public Encoding Encoding { get; set; }

    /// <summary>5: required.</summary>
    public int DefinitionLevelsByteLength { get; set; }

    /// <summary>6: required.</summary>
    public int RepetitionLevelsByteLength { get; set; }

    /// <summary>7: optional with default true; always written.</summary>
    public bool IsCompressed { get; set; } = true;

    /// <summary>8: optional.</summary>
    public Statistics? Statistics { get; set; }

    internal static DataPageHeaderV2 Read(ref ThriftCompactReader reader)
    {
        var result = new DataPageHeaderV2();
        bool hasNumValues = false, hasNumNulls = false, hasNumRows = false, hasEncoding = false;
        bool hasDefinitionLength = false, hasRepetitionLength = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "DataPageHeaderV2.num_values");
                    result.NumValues = reader.ReadI32();
                    hasNumValues = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I32, "DataPageHeaderV2.num_nulls");
                    result.NumNulls = reader.ReadI32();
                    hasNumNulls = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.I32, "DataPageHeaderV2.num_rows");
                    result.NumRows = reader.ReadI32();
                    hasNumRows = true;
                    break;
                case 4:
                    reader.Expect(field, ThriftType.I32, "DataPageHeaderV2.encoding");
                    result.Encoding = (Encoding)reader.ReadI32();
                    hasEncoding = true;
                    break;
                case 5:
                    reader.Expect(field, ThriftType.I32, "DataPageHeaderV2.definition_levels_byte_length");
                    result.DefinitionLevelsByteLength = reader.ReadI32();
                    hasDefinitionLength = true;
                    break;
                case 6:
                    reader.Expect(field, ThriftType.I32, "DataPageHeaderV2.repetition_levels_byte_length");
                    result.RepetitionLevelsByteLength = reader.ReadI32();
                    hasRepetitionLength = true;
                    break;
                case 7:
                    reader.Expect(field, ThriftType.Bool, "DataPageHeaderV2.is_compressed");
                    result.IsCompressed = reader.ReadBool();
                    break;
                case 8:
                    reader.Expect(field, ThriftType.Struct, "DataPageHeaderV2.statistics");
                    result.Statistics = Statistics.Read(ref reader);
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasNumValues, "DataPageHeaderV2.num_values");
        reader.Require(hasNumNulls, "DataPageHeaderV2.num_nulls");
        reader.Require(hasNumRows, "DataPageHeaderV2.num_rows");
        reader.Require(hasEncoding, "DataPageHeaderV2.encoding");
        reader.Require(hasDefinitionLength, "DataPageHeaderV2.definition_levels_byte_length");
        reader.Require(hasRepetitionLength, "DataPageHeaderV2.repetition_levels_byte_length");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteI32Field(1, NumValues);
        writer.WriteI32Field(2, NumNulls);
        writer.WriteI32Field(3, NumRows);
        writer.WriteI32Field(4, (int)Encoding);
        writer.WriteI32Field(5, DefinitionLevelsByteLength);
        writer.WriteI32Field(6, RepetitionLevelsByteLength);
        writer.WriteBoolField(7, IsCompressed);
        if (Statistics is not null)
        {
            writer.WriteFieldHeader(8, ThriftType.Struct);
            Statistics.Write(writer);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
