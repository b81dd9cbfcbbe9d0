using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Tests;

/// <summary>The pages of a column chunk as stored: where each starts, its header, and where its body starts.</summary>
internal static class ChunkPages
{
    public sealed record Page(long Offset, PageHeader Header, long BodyOffset);

    public static List<Page> Of(byte[] file, ColumnMetaData meta)
    {
        var start = meta.DictionaryPageOffset is { } d && d > 0 && d < meta.DataPageOffset ? d : meta.DataPageOffset;
        var end = start + meta.TotalCompressedSize;
        var pages = new List<Page>();
        for (var at = start; at < end;)
        {
            var header = PageHeader.Parse(file.AsSpan((int)at, (int)(end - at)), out var headerLength);
            pages.Add(new Page(at, header, at + headerLength));
            at += headerLength + header.CompressedPageSize;
        }
        return pages;
    }

    public static ReadOnlySpan<byte> Body(byte[] file, Page page) => file.AsSpan((int)page.BodyOffset, page.Header.CompressedPageSize);

    /// <summary>The encoding of a data page's values.</summary>
    public static Encoding ValueEncoding(Page page) =>
        page.Header.DataPageHeader?.Encoding ?? page.Header.DataPageHeaderV2?.Encoding ?? throw new InvalidOperationException($"{page.Header.Type} is not a data page");
}
