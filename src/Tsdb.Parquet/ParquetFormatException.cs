namespace Tsdb.Parquet;

/// <summary>
/// The one exception type for malformed, truncated or unsupported Parquet input: footers, Thrift metadata, page
/// headers, encoded values and compressed pages that do not agree with their sizes.
/// </summary>
public sealed class ParquetFormatException : Exception
{
    public ParquetFormatException(string message) : base(message) { }

    public ParquetFormatException(string message, Exception inner) : base(message, inner) { }
}
