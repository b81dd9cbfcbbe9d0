using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>PageLocation</c>: where one data page of a column chunk is, for the offset index.</summary>
public sealed class PageLocation
{
    /// <summary>1: required; file offset of the page header.</summary>
    public long Offset { get; set; }

    /// <summary>2: required; page size including its header.</summary>
    public int CompressedPageSize { get; set; }

    /// <summary>3: required; index in the row group of the page's first row.</summary>
    public long FirstRowIndex { get; set; }

    internal static PageLocation Read(ref ThriftCompactReader reader)
    {
        var result = new PageLocation();
        bool hasOffset = false, hasSize = false, hasFirstRow = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I64, "PageLocation.offset");
                    result.Offset = reader.ReadI64();
                    hasOffset = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I32, "PageLocation.compressed_page_size");
                    result.CompressedPageSize = reader.ReadI32();
                    hasSize = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.I64, "PageLocation.first_row_index");
                    result.FirstRowIndex = reader.ReadI64();
                    hasFirstRow = true;
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasOffset, "PageLocation.offset");
        reader.Require(hasSize, "PageLocation.compressed_page_size");
        reader.Require(hasFirstRow, "PageLocation.first_row_index");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteI64Field(1, Offset);
        writer.WriteI32Field(2, CompressedPageSize);
        writer.WriteI64Field(3, FirstRowIndex);
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
