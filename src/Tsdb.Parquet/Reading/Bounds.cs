using System.Buffers.Binary;
using Encoding = System.Text.Encoding;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Schema;

namespace Tsdb.Parquet.Reading;

/// <summary>Decodes PLAIN statistics bounds and compares them with predicate bounds in the column's sort order.</summary>
internal static class Bounds
{
    public static object? Decode(ParquetColumn column, byte[] bytes) => column.PhysicalType switch
    {
        PhysicalType.Int64 when bytes.Length == 8 => column.UnsignedOrder ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : BinaryPrimitives.ReadInt64LittleEndian(bytes),
        PhysicalType.Int32 when bytes.Length == 4 => column.UnsignedOrder ? (object)(ulong)BinaryPrimitives.ReadUInt32LittleEndian(bytes) : (long)BinaryPrimitives.ReadInt32LittleEndian(bytes),
        PhysicalType.Double when bytes.Length == 8 => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        PhysicalType.Float when bytes.Length == 4 => (double)BinaryPrimitives.ReadSingleLittleEndian(bytes),
        PhysicalType.Boolean when bytes.Length == 1 => bytes[0] != 0,
        PhysicalType.ByteArray or PhysicalType.FixedLenByteArray => bytes,
        _ => null, // malformed or unknown: no pruning
    };

    /// <summary>
    /// The predicate with its strings as UTF-8 bytes: compared with a column's many byte-array bounds (every page of a
    /// tag column), each string was encoded again per page and value.
    /// </summary>
    public static ColumnRange AsUtf8(ColumnRange predicate)
    {
        static object? Utf8(object? value) => value is string s ? Encoding.UTF8.GetBytes(s) : value;
        return predicate.Min is string || predicate.Max is string || predicate.AnyOf?.Any(v => v is string) == true
            ? predicate with { Min = Utf8(predicate.Min), Max = Utf8(predicate.Max), AnyOf = predicate.AnyOf?.Select(v => Utf8(v)!).ToArray() }
            : predicate;
    }

    /// <summary>False only when [min, max] certainly misses the predicate's range.</summary>
    public static bool MayOverlap(ParquetColumn column, object? min, object? max, ColumnRange predicate)
    {
        if (min is null || max is null)
        {
            return true;
        }
        if (predicate.Min is { } low && Compare(max, low) < 0)
        {
            return false;
        }
        if (predicate.Max is { } high && Compare(min, high) > 0)
        {
            return false;
        }
        if (predicate.AnyOf is { } values)
        {
            foreach (var value in values)
            {
                if (Compare(max, value) >= 0 && Compare(min, value) <= 0)
                {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /// <summary>
    /// True only when every value in [min, max] certainly satisfies the predicate's range (no AnyOf list). Incomparable
    /// kinds say true as well: the caller only uses it to skip narrowing rows it may return anyway.
    /// </summary>
    public static bool Within(object? min, object? max, ColumnRange predicate) =>
        min is not null && max is not null && predicate.AnyOf is null
        && (predicate.Min is not { } low || Compare(min, low) >= 0)
        && (predicate.Max is not { } high || Compare(max, high) <= 0);

    /// <summary>Whether a page whose largest value is <paramref name="max"/> lies wholly below the predicate's range.</summary>
    public static bool Below(object? max, ColumnRange predicate) => max is not null && predicate.Min is { } low && Compare(max, low) < 0;

    /// <summary>Whether a page whose smallest value is <paramref name="min"/> lies wholly above the predicate's range.</summary>
    public static bool Above(object? min, ColumnRange predicate) => min is not null && predicate.Max is { } high && Compare(min, high) > 0;

    /// <summary>Two decoded bounds of one column in its sort order (incomparable kinds: equal).</summary>
    public static int Order(object a, object b) => Compare(a, b);

    /// <summary>Compares a statistics bound with a predicate bound; incomparable kinds compare as equal (no pruning).</summary>
    private static int Compare(object bound, object value) => (bound, value) switch
        {
            (long a, long b) => a.CompareTo(b),
            (long a, int b) => a.CompareTo((long)b),
            (ulong a, ulong b) => a.CompareTo(b),
            (ulong a, long b) => b < 0 ? 1 : a.CompareTo((ulong)b),
            (double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? 0 : a.CompareTo(b),
            (double a, long b) => a.CompareTo((double)b),
            (bool a, bool b) => a.CompareTo(b),
            (byte[] a, string b) => CompareUtf8(a, b),
            (byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b),
            _ => 0,
        };

    /// <summary>Bytes against a string's UTF-8 form, without allocating it (every page of a tag column is compared).</summary>
    private static int CompareUtf8(byte[] bytes, string text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = most <= 256 ? stackalloc byte[256] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(most));
        var length = Encoding.UTF8.GetBytes(text, buffer);
        var order = bytes.AsSpan().SequenceCompareTo(buffer[..length]);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
        return order;
    }
}
