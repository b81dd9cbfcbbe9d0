using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Writing;

/// <summary>How a Parquet file is written. The defaults suit time-series data read by any engine.</summary>
public sealed record ParquetWriterOptions
{
    public static ParquetWriterOptions Default { get; } = new();

    /// <summary>Page compression: ZSTD (default), SNAPPY, GZIP or none.</summary>
    public CompressionCodec Compression { get; init; } = CompressionCodec.Zstd;

    public int ZstdLevel { get; init; } = 3;

    /// <summary>Rows per row group; a row group is written once this many rows are buffered.</summary>
    public int RowGroupSize { get; init; } = 1_048_576;

    /// <summary>Rows per data page at most (pages are the unit the page index prunes).</summary>
    public int PageRowLimit { get; init; } = 20_000;

    /// <summary>Uncompressed bytes per data page at most (estimated).</summary>
    public int PageSizeLimit { get; init; } = 1 << 20;

    /// <summary>
    /// A column's dictionary may grow to this many bytes; the page that takes it past and the chunk's later pages are
    /// PLAIN (the earlier pages stay dictionary-encoded).
    /// </summary>
    public int DictionaryPageSizeLimit { get; init; } = 1 << 20;

    /// <summary>Data page format: version 1 (most widely read) or 2 (levels left uncompressed).</summary>
    public int DataPageVersion { get; init; } = 1;

    /// <summary>Dictionary-encode string columns (falling back to PLAIN pages when the dictionary grows too big).</summary>
    public bool DictionaryEnabled { get; init; } = true;

    /// <summary>Try BYTE_STREAM_SPLIT for floating-point columns and keep it where it compresses smaller.</summary>
    public bool ByteStreamSplitForFloats { get; init; } = true;

    /// <summary>DELTA_BINARY_PACKED for integer and timestamp columns (else PLAIN).</summary>
    public bool DeltaForIntegers { get; init; } = true;

    /// <summary>Byte-array statistics and page-index bounds are cut to this many bytes (max rounded up).</summary>
    public int StatisticsTruncateLength { get; init; } = 64;

    /// <summary>
    /// Put the CRC-32 of every page as stored in its header (PageHeader.crc), so readers that check it catch a page
    /// damaged at rest or in transit instead of decoding wrong values from it.
    /// </summary>
    public bool PageChecksums { get; init; } = true;

    /// <summary>Write the column index and offset index (PageIndex.md) for page pruning.</summary>
    public bool WritePageIndex { get; init; } = true;

    /// <summary>File-level key/value metadata.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> KeyValueMetadata { get; init; } = [];

    /// <summary>Declared sort order of the rows in every row group (column index, descending, nulls first).</summary>
    public IReadOnlyList<(int Column, bool Descending, bool NullsFirst)> SortingColumns { get; init; } = [];

    public string CreatedBy { get; init; } = "tsdb version 0.1.0";
}
