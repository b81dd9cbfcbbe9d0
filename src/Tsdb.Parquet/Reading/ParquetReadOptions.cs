namespace Tsdb.Parquet.Reading;

/// <summary>Limits that keep a hostile file from making the reader allocate without bound.</summary>
public sealed record ParquetReadOptions
{
    public static ParquetReadOptions Default { get; } = new();

    public int MaxFooterLength { get; init; } = 64 << 20;

    public int MaxPageLength { get; init; } = 256 << 20;

    /// <summary>
    /// String columns to return as <c>dictionary&lt;int32, utf8&gt;</c> arrays (each distinct value stored once) rather
    /// than plain Utf8: tag columns, whose few values repeat on every row.
    /// </summary>
    public IReadOnlySet<string> DictionaryColumns { get; init; } = new HashSet<string>();

    /// <summary>Where selective reads keep decoded dictionaries and decompressed pages (none: each read decodes its own).</summary>
    public ReadCache? Cache { get; init; }

    /// <summary>Check the CRC-32 of every page whose header carries one (a mismatch is a <see cref="ParquetFormatException"/>).</summary>
    public bool VerifyPageChecksums { get; init; } = true;

    /// <summary>Largest column chunk read in one piece.</summary>
    public long MaxChunkLength { get; init; } = 1L << 30;
}
