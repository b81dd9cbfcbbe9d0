using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>DataPageHeader</c> (V1 data page: levels and values compressed together).</summary>
public sealed class DataPageHeader
{
    /// <summary>1: required; values including nulls.</summary>
    public int NumValues { get; set; }

    /// <summary>2: required.</summary>
    public Encoding Encoding { get; set; }

    /// <summary>3: required.</summary>
    public Encoding DefinitionLevelEncoding { get; set; }

    /// <summary>4: required.</summary>
    public Encoding RepetitionLevelEncoding { get; set; }

    /// <summary>5: optional.</summary>
    public Statistics? Statistics { get; set; }

    internal static DataPageHeader Read(ref ThriftCompactReader reader)
    {
        var result = new DataPageHeader();
        bool hasNumValues = false, hasEncoding = false, hasDefinition = false, hasRepetition = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "DataPageHeader.num_values");
                    result.NumValues = reader.ReadI32();
                    hasNumValues = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I32, "DataPageHeader.encoding");
                    result.Encoding = (Encoding)reader.ReadI32();
                    hasEncoding = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.I32, "DataPageHeader.definition_level_encoding");
                    result.DefinitionLevelEncoding = (Encoding)reader.ReadI32();
                    hasDefinition = true;
                    break;
                case 4:
                    reader.Expect(field, ThriftType.I32, "DataPageHeader.repetition_level_encoding");
                    result.RepetitionLevelEncoding = (Encoding)reader.ReadI32();
                    hasRepetition = true;
                    break;
                case 5:
                    reader.Expect(field, ThriftType.Struct, "DataPageHeader.statistics");
                    result.Statistics = Statistics.Read(ref reader);
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasNumValues, "DataPageHeader.num_values");
        reader.Require(hasEncoding, "DataPageHeader.encoding");
        reader.Require(hasDefinition, "DataPageHeader.definition_level_encoding");
        reader.Require(hasRepetition, "DataPageHeader.repetition_level_encoding");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteI32Field(1, NumValues);
        writer.WriteI32Field(2, (int)Encoding);
        writer.WriteI32Field(3, (int)DefinitionLevelEncoding);
        writer.WriteI32Field(4, (int)RepetitionLevelEncoding);
        if (Statistics is not null)
        {
            writer.WriteFieldHeader(5, ThriftType.Struct);
            Statistics.Write(writer);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
