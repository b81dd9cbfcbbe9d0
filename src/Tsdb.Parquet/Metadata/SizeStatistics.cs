using System.Runtime.InteropServices;
using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>SizeStatistics</c> (ColumnMetaData field 16): unencoded sizes and level histograms that help a
/// reader estimate memory. All fields are optional.
/// </summary>
public sealed class SizeStatistics
{
    /// <summary>1: bytes of BYTE_ARRAY values without their length prefixes.</summary>
    public long? UnencodedByteArrayDataBytes { get; set; }

    /// <summary>2: count per repetition level.</summary>
    public List<long>? RepetitionLevelHistogram { get; set; }

    /// <summary>3: count per definition level.</summary>
    public List<long>? DefinitionLevelHistogram { get; set; }

    internal static SizeStatistics Read(ref ThriftCompactReader reader)
    {
        var result = new SizeStatistics();
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I64, "SizeStatistics.unencoded_byte_array_data_bytes");
                    result.UnencodedByteArrayDataBytes = reader.ReadI64();
                    break;
                case 2:
                    reader.Expect(field, ThriftType.List, "SizeStatistics.repetition_level_histogram");
                    result.RepetitionLevelHistogram = reader.ReadList(ThriftType.I64, ThriftElementReaders.I64, "SizeStatistics.repetition_level_histogram");
                    break;
                case 3:
                    reader.Expect(field, ThriftType.List, "SizeStatistics.definition_level_histogram");
                    result.DefinitionLevelHistogram = reader.ReadList(ThriftType.I64, ThriftElementReaders.I64, "SizeStatistics.definition_level_histogram");
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        if (UnencodedByteArrayDataBytes is { } unencoded)
        {
            writer.WriteI64Field(1, unencoded);
        }
        if (RepetitionLevelHistogram is not null)
        {
            writer.WriteI64ListField(2, CollectionsMarshal.AsSpan(RepetitionLevelHistogram));
        }
        if (DefinitionLevelHistogram is not null)
        {
            writer.WriteI64ListField(3, CollectionsMarshal.AsSpan(DefinitionLevelHistogram));
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
