namespace Tsdb.Parquet.Reading;

/// <summary>Limits that keep a hostile file from making the reader allocate without bound.</summary>
public sealed record ParquetReadOptions
{
    public static ParquetReadOptions Default { get; } = new();

    public int MaxFooterLength { get; init; } = 64 << 20;

    public int MaxPageLength { get; init; } = 256 << 20;

    /// <summary>Largest column chunk read in one piece.</summary>
    public long MaxChunkLength { get; init; } = 1L << 30;
}
