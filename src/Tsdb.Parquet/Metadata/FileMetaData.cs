using Tsdb.Parquet.IO;
using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>FileMetaData</c>: the footer, written in the Thrift compact protocol just before the 4-byte
/// length and the closing <c>PAR1</c>. Encrypted files (fields 8 and 9, or encrypted column metadata) are refused.
/// </summary>
public sealed class FileMetaData
{
    /// <summary>1: required; writers write 1, readers accept 1 and 2.</summary>
    public int Version { get; set; } = 1;

    /// <summary>2: required; the schema tree depth first, root first.</summary>
    public List<SchemaElement> Schema { get; set; } = [];

    /// <summary>3: required.</summary>
    public long NumRows { get; set; }

    /// <summary>4: required.</summary>
    public List<RowGroup> RowGroups { get; set; } = [];

    /// <summary>5: optional.</summary>
    public List<KeyValue>? KeyValueMetadata { get; set; }

    /// <summary>6: optional; "&lt;application&gt; version &lt;version&gt; (build &lt;hash&gt;)".</summary>
    public string? CreatedBy { get; set; }

    /// <summary>7: optional; one per leaf column, in schema order. Without it min/max statistics mean nothing.</summary>
    public List<ColumnOrder>? ColumnOrders { get; set; }

    /// <summary>Reads a footer. Bytes after the struct's stop byte are ignored.</summary>
    public static FileMetaData Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new ThriftCompactReader(bytes);
        return Read(ref reader);
    }

    public byte[] Serialize()
    {
        using var buffer = new ByteBuffer();
        WriteTo(buffer);
        return buffer.ToArray();
    }

    public void WriteTo(ByteBuffer output) => Write(new ThriftCompactWriter(output));

    internal static ParquetFormatException EncryptedFile() => new("encrypted Parquet files are not supported");

    internal static FileMetaData Read(ref ThriftCompactReader reader)
    {
        var result = new FileMetaData();
        bool hasVersion = false, hasSchema = false, hasNumRows = false, hasRowGroups = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "FileMetaData.version");
                    result.Version = reader.ReadI32();
                    hasVersion = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.List, "FileMetaData.schema");
                    result.Schema = reader.ReadList(ThriftType.Struct, SchemaElement.Read, "FileMetaData.schema");
                    hasSchema = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.I64, "FileMetaData.num_rows");
                    result.NumRows = reader.ReadI64();
                    hasNumRows = true;
                    break;
                case 4:
                    reader.Expect(field, ThriftType.List, "FileMetaData.row_groups");
                    result.RowGroups = reader.ReadList(ThriftType.Struct, RowGroup.Read, "FileMetaData.row_groups");
                    hasRowGroups = true;
                    break;
                case 5:
                    reader.Expect(field, ThriftType.List, "FileMetaData.key_value_metadata");
                    result.KeyValueMetadata = reader.ReadList(ThriftType.Struct, KeyValue.Read, "FileMetaData.key_value_metadata");
                    break;
                case 6:
                    reader.Expect(field, ThriftType.Binary, "FileMetaData.created_by");
                    result.CreatedBy = reader.ReadString();
                    break;
                case 7:
                    reader.Expect(field, ThriftType.List, "FileMetaData.column_orders");
                    result.ColumnOrders = reader.ReadList(ThriftType.Struct, ColumnOrder.Read, "FileMetaData.column_orders");
                    break;
                case 8: // encryption_algorithm
                case 9: // footer_signing_key_metadata
                    throw EncryptedFile();
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasVersion, "FileMetaData.version");
        reader.Require(hasSchema, "FileMetaData.schema");
        reader.Require(hasNumRows, "FileMetaData.num_rows");
        reader.Require(hasRowGroups, "FileMetaData.row_groups");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteI32Field(1, Version);
        writer.WriteListField(2, ThriftType.Struct, Schema.Count);
        foreach (var element in Schema)
        {
            element.Write(writer);
        }
        writer.WriteI64Field(3, NumRows);
        writer.WriteListField(4, ThriftType.Struct, RowGroups.Count);
        foreach (var rowGroup in RowGroups)
        {
            rowGroup.Write(writer);
        }
        if (KeyValueMetadata is not null)
        {
            writer.WriteListField(5, ThriftType.Struct, KeyValueMetadata.Count);
            foreach (var keyValue in KeyValueMetadata)
            {
                keyValue.Write(writer);
            }
        }
        if (CreatedBy is not null)
        {
            writer.WriteStringField(6, CreatedBy);
        }
        if (ColumnOrders is not null)
        {
            writer.WriteListField(7, ThriftType.Struct, ColumnOrders.Count);
            foreach (var order in ColumnOrders)
            {
                order.Write(writer);
            }
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
