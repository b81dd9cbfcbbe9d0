using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>ColumnChunk</c>: one column of a row group, and where its page indexes are.</summary>
public sealed class ColumnChunk
{
    /// <summary>1: optional; only summary <c>_metadata</c> files set it.</summary>
    public string? FilePath { get; set; }

    /// <summary>2: required, deprecated; writers write 0.</summary>
    public long FileOffset { get; set; }

    /// <summary>3: optional in the IDL, but every reader needs it and writers must set it.</summary>
    public ColumnMetaData? MetaData { get; set; }

    /// <summary>4: optional.</summary>
    public long? OffsetIndexOffset { get; set; }

    /// <summary>5: optional.</summary>
    public int? OffsetIndexLength { get; set; }

    /// <summary>6: optional.</summary>
    public long? ColumnIndexOffset { get; set; }

    /// <summary>7: optional.</summary>
    public int? ColumnIndexLength { get; set; }

    internal static ColumnChunk Read(ref ThriftCompactReader reader)
    {
        var result = new ColumnChunk();
        var hasFileOffset = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.Binary, "ColumnChunk.file_path");
                    result.FilePath = reader.ReadString();
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I64, "ColumnChunk.file_offset");
                    result.FileOffset = reader.ReadI64();
                    hasFileOffset = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.Struct, "ColumnChunk.meta_data");
                    result.MetaData = ColumnMetaData.Read(ref reader);
                    break;
                case 4:
                    reader.Expect(field, ThriftType.I64, "ColumnChunk.offset_index_offset");
                    result.OffsetIndexOffset = reader.ReadI64();
                    break;
                case 5:
                    reader.Expect(field, ThriftType.I32, "ColumnChunk.offset_index_length");
                    result.OffsetIndexLength = reader.ReadI32();
                    break;
                case 6:
                    reader.Expect(field, ThriftType.I64, "ColumnChunk.column_index_offset");
                    result.ColumnIndexOffset = reader.ReadI64();
                    break;
                case 7:
                    reader.Expect(field, ThriftType.I32, "ColumnChunk.column_index_length");
                    result.ColumnIndexLength = reader.ReadI32();
                    break;
                case 8: // crypto_metadata
                case 9: // encrypted_column_metadata
                    throw FileMetaData.EncryptedFile();
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasFileOffset, "ColumnChunk.file_offset");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        if (FilePath is not null)
        {
            writer.WriteStringField(1, FilePath);
        }
        writer.WriteI64Field(2, FileOffset);
        if (MetaData is not null)
        {
            writer.WriteFieldHeader(3, ThriftType.Struct);
            MetaData.Write(writer);
        }
        if (OffsetIndexOffset is { } offsetIndexOffset)
        {
            writer.WriteI64Field(4, offsetIndexOffset);
        }
        if (OffsetIndexLength is { } offsetIndexLength)
        {
            writer.WriteI32Field(5, offsetIndexLength);
        }
        if (ColumnIndexOffset is { } columnIndexOffset)
        {
            writer.WriteI64Field(6, columnIndexOffset);
        }
        if (ColumnIndexLength is { } columnIndexLength)
        {
            writer.WriteI32Field(7, columnIndexLength);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
