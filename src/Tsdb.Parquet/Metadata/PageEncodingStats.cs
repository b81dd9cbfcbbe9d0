using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>PageEncodingStats</c>: how many pages of a type used an encoding.</summary>
public sealed class PageEncodingStats
{
    /// <summary>1: required.</summary>
    public PageType PageType { get; set; }

    /// <summary>2: required.</summary>
    public Encoding Encoding { get; set; }

    /// <summary>3: required.</summary>
    public int Count { get; set; }

    internal static PageEncodingStats Read(ref ThriftCompactReader reader)
    {
        var result = new PageEncodingStats();
        bool hasPageType = false, hasEncoding = false, hasCount = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "PageEncodingStats.page_type");
                    result.PageType = (PageType)reader.ReadI32();
                    hasPageType = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I32, "PageEncodingStats.encoding");
                    result.Encoding = (Encoding)reader.ReadI32();
                    hasEncoding = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.I32, "PageEncodingStats.count");
                    result.Count = reader.ReadI32();
                    hasCount = true;
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasPageType, "PageEncodingStats.page_type");
        reader.Require(hasEncoding, "PageEncodingStats.encoding");
        reader.Require(hasCount, "PageEncodingStats.count");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteI32Field(1, (int)PageType);
        writer.WriteI32Field(2, (int)Encoding);
        writer.WriteI32Field(3, Count);
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
