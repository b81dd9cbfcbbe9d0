using System.Diagnostics.CodeAnalysis;

namespace Tsdb.Parquet.Encodings;

/// <summary>
/// Throw helpers for the decoders, so the hot loops stay small enough to inline. Every message names the encoding
/// and the byte position in the encoded input where the problem was found.
/// </summary>
internal static class EncodingErrors
{
    [DoesNotReturn]
    public static void Throw(string encoding, int position, string problem) =>
        throw new ParquetFormatException($"{encoding} at byte {position}: {problem}");

    [DoesNotReturn]
    public static void Truncated(string encoding, int position, string what, long needed, long available) =>
        throw new ParquetFormatException(
            $"{encoding} at byte {position}: input ends inside {what} (needs {needed} bytes, {available} remain)");

    [DoesNotReturn]
    public static void OutputTooSmall(string encoding, int position, long values, int capacity) =>
        throw new ParquetFormatException(
            $"{encoding} at byte {position}: the data holds {values} values but the page has room for {capacity}");
}
