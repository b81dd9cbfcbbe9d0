using System.Globalization;
using System.Text.Json.Nodes;
using ParquetSharp;

namespace Tsdb.Parquet.Tests;

/// <summary>
/// Reads a Parquet file with ParquetSharp (parquet-cpp, native) into the canonical JSON of
/// <see cref="ParquetCanonicalJson"/>, checking page CRCs where the file has them.
/// </summary>
internal static class ParquetSharpFiles
{
    public static JsonObject Read(string path)
    {
        using var properties = ReaderProperties.GetDefaultReaderProperties();
        properties.EnablePageChecksumVerification();
        using var file = new ParquetFileReader(path, properties);
        var meta = file.FileMetaData;
        var arrays = Enumerable.Range(0, meta.NumColumns).Select(_ => new JsonArray()).ToList();
        for (var g = 0; g < meta.NumRowGroups; g++)
        {
            using var rowGroup = file.RowGroup(g);
            var rows = checked((int)rowGroup.MetaData.NumRows);
            for (var c = 0; c < meta.NumColumns; c++)
            {
                using var column = rowGroup.Column(c);
                using var reader = column.LogicalReader();
                reader.Apply(new Appender(rows, arrays[c]));
            }
        }
        var columns = new JsonObject();
        for (var c = 0; c < meta.NumColumns; c++)
        {
            columns[meta.Schema.Column(c).Name] = arrays[c];
        }
        return columns;
    }

    /// <summary>A value as <see cref="ParquetCanonicalJson"/> writes it (timestamps in nanoseconds, floats as bits).</summary>
    public static string? Canonical(object? value) => value switch
    {
        null => null,
        DateTimeNanos t => t.Ticks.ToString(CultureInfo.InvariantCulture),
        DateTime t => ((t.Ticks - DateTime.UnixEpoch.Ticks) * 100).ToString(CultureInfo.InvariantCulture),
        double d => double.IsNaN(d) ? "NaN" : BitConverter.DoubleToUInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture),
        float f => float.IsNaN(f) ? "NaN" : BitConverter.SingleToUInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => s,
        byte[] bytes => Convert.ToHexStringLower(bytes),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    public static JsonArray Canonical<T>(IEnumerable<T> values) => [.. values.Select(v => Canonical(v) is { } s ? JsonValue.Create(s) : null)];

    private sealed class Appender(int rows, JsonArray into) : ILogicalColumnReaderVisitor<bool>
    {
        public bool OnLogicalColumnReader<TValue>(LogicalColumnReader<TValue> reader)
        {
            var values = reader.ReadAll(rows);
            foreach (var value in values)
            {
                into.Add(Canonical(value) is { } s ? JsonValue.Create(s) : null);
            }
            return true;
        }
    }
}
