using System.Runtime.InteropServices;
using Tsdb.Parquet.IO;
using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>OffsetIndex</c>: where each data page of a column chunk is and which row it starts at. Stored
/// on its own near the footer, found through <see cref="ColumnChunk.OffsetIndexOffset"/>.
/// </summary>
public sealed class OffsetIndex
{
    /// <summary>1: required; ordered by offset.</summary>
    public List<PageLocation> PageLocations { get; set; } = [];

    /// <summary>2: optional; per page, for BYTE_ARRAY columns.</summary>
    public List<long>? UnencodedByteArrayDataBytes { get; set; }

    public static OffsetIndex Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new ThriftCompactReader(bytes);
        return Read(ref reader);
    }

    public byte[] Serialize()
    {
        using var buffer = new ByteBuffer(256);
        WriteTo(buffer);
        return buffer.ToArray();
    }

    public void WriteTo(ByteBuffer output) => Write(new ThriftCompactWriter(output));

    internal static OffsetIndex Read(ref ThriftCompactReader reader)
    {
        var result = new OffsetIndex();
        var hasPageLocations = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.List, "OffsetIndex.page_locations");
                    result.PageLocations = reader.ReadList(ThriftType.Struct, PageLocation.Read, "OffsetIndex.page_locations");
                    hasPageLocations = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.List, "OffsetIndex.unencoded_byte_array_data_bytes");
                    result.UnencodedByteArrayDataBytes = reader.ReadList(ThriftType.I64, ThriftElementReaders.I64, "OffsetIndex.unencoded_byte_array_data_bytes");
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasPageLocations, "OffsetIndex.page_locations");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteListField(1, ThriftType.Struct, PageLocations.Count);
        foreach (var location in PageLocations)
        {
            location.Write(writer);
        }
        if (UnencodedByteArrayDataBytes is not null)
        {
            writer.WriteI64ListField(2, CollectionsMarshal.AsSpan(UnencodedByteArrayDataBytes));
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
