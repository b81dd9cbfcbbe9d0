using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>ColumnMetaData</c>: where a column chunk's pages are and how they are encoded.</summary>
public sealed class ColumnMetaData
{
    /// <summary>1: required.</summary>
    public PhysicalType Type { get; set; }

    /// <summary>2: required; every encoding used by the chunk's pages (including level encodings).</summary>
    public List<Encoding> Encodings { get; set; } = [];

    /// <summary>3: required; the leaf's path from (not including) the root.</summary>
    public List<string> PathInSchema { get; set; } = [];

    /// <summary>4: required.</summary>
    public CompressionCodec Codec { get; set; }

    /// <summary>5: required; values including nulls.</summary>
    public long NumValues { get; set; }

    /// <summary>6: required; all pages uncompressed, headers included.</summary>
    public long TotalUncompressedSize { get; set; }

    /// <summary>7: required; all pages as stored, headers included.</summary>
    public long TotalCompressedSize { get; set; }

    /// <summary>8: optional.</summary>
    public List<KeyValue>? KeyValueMetadata { get; set; }

    /// <summary>9: required; file offset of the first data page.</summary>
    public long DataPageOffset { get; set; }

    /// <summary>10: optional.</summary>
    public long? IndexPageOffset { get; set; }

    /// <summary>11: optional; file offset of the dictionary page.</summary>
    public long? DictionaryPageOffset { get; set; }

    /// <summary>12: optional.</summary>
    public Statistics? Statistics { get; set; }

    /// <summary>13: optional.</summary>
    public List<PageEncodingStats>? EncodingStats { get; set; }

    /// <summary>14: optional.</summary>
    public long? BloomFilterOffset { get; set; }

    /// <summary>15: optional.</summary>
    public int? BloomFilterLength { get; set; }

    /// <summary>16: optional.</summary>
    public SizeStatistics? SizeStatistics { get; set; }

    internal static ColumnMetaData Read(ref ThriftCompactReader reader)
    {
        var result = new ColumnMetaData();
        bool hasType = false, hasEncodings = false, hasPath = false, hasCodec = false, hasNumValues = false;
        bool hasUncompressed = false, hasCompressed = false, hasDataPageOffset = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "ColumnMetaData.type");
                    result.Type = (PhysicalType)reader.ReadI32();
                    hasType = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.List, "ColumnMetaData.encodings");
                    result.Encodings = reader.ReadList(ThriftType.I32, static (ref ThriftCompactReader r) => (Encoding)r.ReadI32(), "ColumnMetaData.encodings");
                    hasEncodings = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.List, "ColumnMetaData.path_in_schema");
                    result.PathInSchema = reader.ReadList(ThriftType.Binary, ThriftElementReaders.String, "ColumnMetaData.path_in_schema");
                    hasPath = true;
                    break;
                case 4:
                    reader.Expect(field, ThriftType.I32, "ColumnMetaData.codec");
                    result.Codec = (CompressionCodec)reader.ReadI32();
                    hasCodec = true;
                    break;
                case 5:
                    reader.Expect(field, ThriftType.I64, "ColumnMetaData.num_values");
                    result.NumValues = reader.ReadI64();
                    hasNumValues = true;
                    break;
                case 6:
                    reader.Expect(field, ThriftType.I64, "ColumnMetaData.total_uncompressed_size");
                    result.TotalUncompressedSize = reader.ReadI64();
                    hasUncompressed = true;
                    break;
                case 7:
                    reader.Expect(field, ThriftType.I64, "ColumnMetaData.total_compressed_size");
                    result.TotalCompressedSize = reader.ReadI64();
                    hasCompressed = true;
                    break;
                case 8:
                    reader.Expect(field, ThriftType.List, "ColumnMetaData.key_value_metadata");
                    result.KeyValueMetadata = reader.ReadList(ThriftType.Struct, KeyValue.Read, "ColumnMetaData.key_value_metadata");
                    break;
                case 9:
                    reader.Expect(field, ThriftType.I64, "ColumnMetaData.data_page_offset");
                    result.DataPageOffset = reader.ReadI64();
                    hasDataPageOffset = true;
                    break;
                case 10:
                    reader.Expect(field, ThriftType.I64, "ColumnMetaData.index_page_offset");
                    result.IndexPageOffset = reader.ReadI64();
                    break;
                case 11:
                    reader.Expect(field, ThriftType.I64, "ColumnMetaData.dictionary_page_offset");
                    result.DictionaryPageOffset = reader.ReadI64();
                    break;
                case 12:
                    reader.Expect(field, ThriftType.Struct, "ColumnMetaData.statistics");
                    result.Statistics = Statistics.Read(ref reader);
                    break;
                case 13:
                    reader.Expect(field, ThriftType.List, "ColumnMetaData.encoding_stats");
                    result.EncodingStats = reader.ReadList(ThriftType.Struct, PageEncodingStats.Read, "ColumnMetaData.encoding_stats");
                    break;
                case 14:
                    reader.Expect(field, ThriftType.I64, "ColumnMetaData.bloom_filter_offset");
                    result.BloomFilterOffset = reader.ReadI64();
                    break;
                case 15:
                    reader.Expect(field, ThriftType.I32, "ColumnMetaData.bloom_filter_length");
                    result.BloomFilterLength = reader.ReadI32();
                    break;
                case 16:
                    reader.Expect(field, ThriftType.Struct, "ColumnMetaData.size_statistics");
                    result.SizeStatistics = SizeStatistics.Read(ref reader);
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasType, "ColumnMetaData.type");
        reader.Require(hasEncodings, "ColumnMetaData.encodings");
        reader.Require(hasPath, "ColumnMetaData.path_in_schema");
        reader.Require(hasCodec, "ColumnMetaData.codec");
        reader.Require(hasNumValues, "ColumnMetaData.num_values");
        reader.Require(hasUncompressed, "ColumnMetaData.total_uncompressed_size");
        reader.Require(hasCompressed, "ColumnMetaData.total_compressed_size");
        reader.Require(hasDataPageOffset, "ColumnMetaData.data_page_offset");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteI32Field(1, (int)Type);
        writer.WriteListField(2, ThriftType.I32, Encodings.Count);
        foreach (var encoding in Encodings)
        {
            writer.WriteI32((int)encoding);
        }
        writer.WriteListField(3, ThriftType.Binary, PathInSchema.Count);
        foreach (var name in PathInSchema)
        {
            writer.WriteString(name);
        }
        writer.WriteI32Field(4, (int)Codec);
        writer.WriteI64Field(5, NumValues);
        writer.WriteI64Field(6, TotalUncompressedSize);
        writer.WriteI64Field(7, TotalCompressedSize);
        if (KeyValueMetadata is not null)
        {
            writer.WriteListField(8, ThriftType.Struct, KeyValueMetadata.Count);
            foreach (var keyValue in KeyValueMetadata)
            {
                keyValue.Write(writer);
            }
        }
        writer.WriteI64Field(9, DataPageOffset);
        if (IndexPageOffset is { } indexPageOffset)
        {
            writer.WriteI64Field(10, indexPageOffset);
        }
        if (DictionaryPageOffset is { } dictionaryPageOffset)
        {
            writer.WriteI64Field(11, dictionaryPageOffset);
        }
        if (Statistics is not null)
        {
            writer.WriteFieldHeader(12, ThriftType.Struct);
            Statistics.Write(writer);
        }
        if (EncodingStats is not null)
        {
            writer.WriteListField(13, ThriftType.Struct, EncodingStats.Count);
            foreach (var stats in EncodingStats)
            {
                stats.Write(writer);
            }
        }
        if (BloomFilterOffset is { } bloomFilterOffset)
        {
            writer.WriteI64Field(14, bloomFilterOffset);
        }
        if (BloomFilterLength is { } bloomFilterLength)
        {
            writer.WriteI32Field(15, bloomFilterLength);
        }
        if (SizeStatistics is not null)
        {
            writer.WriteFieldHeader(16, ThriftType.Struct);
            SizeStatistics.Write(writer);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
