using Tsdb.Parquet.IO;
using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>PageHeader</c>, written in front of every page of a column chunk. <see cref="Type"/> says which
/// of the page-specific headers is set. INDEX_PAGE headers (field 6, an empty struct no writer uses) are skipped.
/// </summary>
public sealed class PageHeader
{
    /// <summary>1: required.</summary>
    public PageType Type { get; set; }

    /// <summary>2: required; page size after decompression, header excluded.</summary>
    public int UncompressedPageSize { get; set; }

    /// <summary>3: required; page size as stored, header excluded.</summary>
    public int CompressedPageSize { get; set; }

    /// <summary>4: optional; standard CRC-32 of the page as stored, header excluded.</summary>
    public int? Crc { get; set; }

    /// <summary>5: set for <see cref="PageType.DataPage"/>.</summary>
    public DataPageHeader? DataPageHeader { get; set; }

    /// <summary>7: set for <see cref="PageType.DictionaryPage"/>.</summary>
    public DictionaryPageHeader? DictionaryPageHeader { get; set; }

    /// <summary>8: set for <see cref="PageType.DataPageV2"/>.</summary>
    public DataPageHeaderV2? DataPageHeaderV2 { get; set; }

    /// <summary>Reads a page header from the start of <paramref name="bytes"/>; the page follows at <paramref name="headerLength"/>.</summary>
    public static PageHeader Parse(ReadOnlySpan<byte> bytes, out int headerLength)
    {
        var reader = new ThriftCompactReader(bytes);
        var header = Read(ref reader);
        headerLength = reader.Position;
        return header;
    }

    public void WriteTo(ByteBuffer output) => Write(new ThriftCompactWriter(output));

    internal static PageHeader Read(ref ThriftCompactReader reader)
    {
        var result = new PageHeader();
        bool hasType = false, hasUncompressed = false, hasCompressed = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "PageHeader.type");
                    result.Type = (PageType)reader.ReadI32();
                    hasType = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I32, "PageHeader.uncompressed_page_size");
                    result.UncompressedPageSize = reader.ReadI32();
                    hasUncompressed = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.I32, "PageHeader.compressed_page_size");
                    result.CompressedPageSize = reader.ReadI32();
                    hasCompressed = true;
                    break;
                case 4:
                    reader.Expect(field, ThriftType.I32, "PageHeader.crc");
                    result.Crc = reader.ReadI32();
                    break;
                case 5:
                    reader.Expect(field, ThriftType.Struct, "PageHeader.data_page_header");
                    result.DataPageHeader = DataPageHeader.Read(ref reader);
                    break;
                case 7:
                    reader.Expect(field, ThriftType.Struct, "PageHeader.dictionary_page_header");
                    result.DictionaryPageHeader = DictionaryPageHeader.Read(ref reader);
                    break;
                case 8:
                    reader.Expect(field, ThriftType.Struct, "PageHeader.data_page_header_v2");
                    result.DataPageHeaderV2 = DataPageHeaderV2.Read(ref reader);
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasType, "PageHeader.type");
        reader.Require(hasUncompressed, "PageHeader.uncompressed_page_size");
        reader.Require(hasCompressed, "PageHeader.compressed_page_size");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteI32Field(1, (int)Type);
        writer.WriteI32Field(2, UncompressedPageSize);
        writer.WriteI32Field(3, CompressedPageSize);
        if (Crc is { } crc)
        {
            writer.WriteI32Field(4, crc);
        }
        if (DataPageHeader is not null)
        {
            writer.WriteFieldHeader(5, ThriftType.Struct);
            DataPageHeader.Write(writer);
        }
        if (DictionaryPageHeader is not null)
        {
            writer.WriteFieldHeader(7, ThriftType.Struct);
            DictionaryPageHeader.Write(writer);
        }
        if (DataPageHeaderV2 is not null)
        {
            writer.WriteFieldHeader(8, ThriftType.Struct);
            DataPageHeaderV2.Write(writer);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
