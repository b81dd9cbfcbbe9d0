using System.Text.Unicode;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;

namespace Tsdb.Parquet.Tests;

/// <summary>
/// String bounds cut to the statistics length stay valid UTF-8 (whole characters) and stay bounds: a cut minimum is
/// a prefix, a cut maximum has its last character incremented, in the chunk statistics, the page headers and the
/// column index alike.
/// </summary>
public sealed class Utf8StatisticsTests
{
    private static string Text(params (string Part, int Times)[] parts) =>
        string.Concat(parts.Select(p => string.Concat(Enumerable.Repeat(p.Part, p.Times))));

    public static TheoryData<string, int, string, string> Cases() => new()
    {
        // value, limit, expected min, expected max
        { Text(("a", 63), ("é", 3)), 64, Text(("a", 63)), Text(("a", 62), ("b", 1)) },
        { Text(("a", 62), ("日", 3)), 64, Text(("a", 62)), Text(("a", 61), ("b", 1)) },
        { Text(("日", 30)), 64, Text(("日", 21)), Text(("日", 20), ("旦", 1)) }, // U+65E5 + 1 = U+65E6
        { Text(("a", 61), ("😀", 2)), 64, Text(("a", 61)), Text(("a", 60), ("b", 1)) },
        { Text(("😀", 20)), 64, Text(("😀", 16)), Text(("😀", 15), ("😁", 1)) },
        // A last character whose successor is longer is dropped and the one before it incremented.
        { Text(("a", 2), ("\u007f", 3)), 4, "aa\u007f\u007f", "ab" },
        { Text(("x", 1), ("\u07ff", 3)), 5, "x\u07ff\u07ff", "y" },
        { Text(("x", 1), ("\uffff", 3)), 7, "x\uffff\uffff", "y" },
        // Surrogates are skipped: U+D7FF is followed by U+E000.
        { Text(("x", 1), ("\ud7ff", 3)), 7, "x\ud7ff\ud7ff", "x\ud7ff\ue000" },
        // Nothing after U+10FFFF: no shorter bound, the value stays whole (and exact).
        { Text(("\U0010FFFF", 20)), 64, Text(("\U0010FFFF", 16)), Text(("\U0010FFFF", 20)) },
        // Short enough: untouched.
        { "zażółć", 64, "zażółć", "zażółć" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cut_bounds_are_whole_characters_and_still_bound_the_value(string text, int limit, string min, string max)
    {
        var value = System.Text.Encoding.UTF8.GetBytes(text);
        var (cutMin, minExact) = PageStatistics.TruncateUtf8Min(value, limit);
        var (cutMax, maxExact) = PageStatistics.TruncateUtf8Max(value, limit);
        Assert.Equal(min, System.Text.Encoding.UTF8.GetString(cutMin));
        Assert.Equal(max, System.Text.Encoding.UTF8.GetString(cutMax));
        Assert.Equal(value.Length <= limit, minExact);
        Assert.Equal(cutMax.Length == value.Length, maxExact);
        AssertBounds(value, cutMin, cutMax, limit);
    }

    [Fact]
    public void Random_strings_get_valid_bounds()
    {
        var random = new Random(3);
        string[] alphabet = ["a", "z", "\u007f", "é", "\u07ff", "日", "\ud7ff", "\ue000", "\uffff", "😀", "\U0010FFFF"];
        for (var round = 0; round < 20_000; round++)
        {
            var builder = new System.Text.StringBuilder();
            var length = random.Next(0, 40);
            for (var i = 0; i < length; i++)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }
            var value = System.Text.Encoding.UTF8.GetBytes(builder.ToString());
            var limit = random.Next(1, 70);
            AssertBounds(value, PageStatistics.TruncateUtf8Min(value, limit).Value, PageStatistics.TruncateUtf8Max(value, limit).Value, limit);
        }
    }

    private static void AssertBounds(byte[] value, byte[] min, byte[] max, int limit)
    {
        Assert.True(Utf8.IsValid(min), $"min {Convert.ToHexString(min)} is not UTF-8");
        Assert.True(Utf8.IsValid(max), $"max {Convert.ToHexString(max)} is not UTF-8");
        Assert.True(min.Length <= limit || min.AsSpan().SequenceEqual(value));
        Assert.True(max.Length <= limit || max.AsSpan().SequenceEqual(value));
        Assert.True(min.AsSpan().SequenceCompareTo(value) <= 0, $"min {Convert.ToHexString(min)} above {Convert.ToHexString(value)}");
        Assert.True(max.AsSpan().SequenceCompareTo(value) >= 0, $"max {Convert.ToHexString(max)} below {Convert.ToHexString(value)}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Chunk_page_and_column_index_bounds_of_long_strings_are_valid_UTF_8(int pageVersion)
    {
        var schema = new Tsdb.Arrow.Types.Schema([new Field("s", ArrowType.Utf8), new Field("tag", ArrowType.DictionaryUtf8)]);
        var file = ParquetWriter.ToBytes(schema, [LongStrings(schema, 600)], new ParquetWriterOptions { PageRowLimit = 100, DataPageVersion = pageVersion });
        var reader = await ParquetReader.OpenAsync(file);
        Assert.Equal(ParquetCanonicalJson.Columns(schema, [LongStrings(schema, 600)]).ToJsonString(), ParquetCanonicalJson.Columns(schema, await reader.ReadAllAsync()).ToJsonString());
        var truncated = 0;
        for (var c = 0; c < 2; c++)
        {
            var chunk = reader.Metadata.RowGroups[0].Columns[c];
            var values = Values(LongStrings(schema, 600).Column(c));
            truncated += CheckBounds(chunk.MetaData!.Statistics!, values);
            var dataPages = ChunkPages.Of(file, chunk.MetaData).Where(p => p.Header.Type != PageType.DictionaryPage).ToList();
            var columnIndex = ColumnIndex.Parse(file.AsSpan((int)chunk.ColumnIndexOffset!.Value, chunk.ColumnIndexLength!.Value));
            Assert.Equal(6, dataPages.Count);
            for (var p = 0; p < dataPages.Count; p++)
            {
                var pageValues = values.Skip(p * 100).Take(100).ToList();
                var header = dataPages[p].Header;
                truncated += CheckBounds((header.DataPageHeader?.Statistics ?? header.DataPageHeaderV2!.Statistics)!, pageValues);
                truncated += CheckBounds(new Statistics { MinValue = columnIndex.MinValues[p], MaxValue = columnIndex.MaxValues[p] }, pageValues);
            }
        }
        Assert.True(truncated > 20, $"{truncated} bounds cut");
    }

    /// <summary>Strings of 40–90 bytes, mostly of multi-byte characters, so a 64-byte cut lands inside one.</summary>
    private static RecordBatch LongStrings(Tsdb.Arrow.Types.Schema schema, int rows)
    {
        var random = new Random(9);
        string[] pieces = ["é", "日本", "😀", "ß", "a"];
        using var plain = new VariableWidthArrayBuilder(ArrowType.Utf8);
        using var tags = new DictionaryArrayBuilder();
        for (var i = 0; i < rows; i++)
        {
            var builder = new System.Text.StringBuilder(new string('k', random.Next(55, 63)));
            while (System.Text.Encoding.UTF8.GetByteCount(builder.ToString()) < 60 + random.Next(30))
            {
                builder.Append(pieces[random.Next(pieces.Length)]);
            }
            plain.Append(System.Text.Encoding.UTF8.GetBytes(builder.ToString()));
            tags.Append(builder.ToString()[..Math.Min(builder.Length, 60 + (i % 7))] + "😀" + (i % 13));
        }
        return new RecordBatch(schema, [plain.Build(), tags.Build()], rows);
    }

    private static List<byte[]> Values(ArrowArray array) =>
        [.. Enumerable.Range(0, array.Length).Select(i => System.Text.Encoding.UTF8.GetBytes((string)array.GetObject(i)!))];

    /// <summary>Checks a min/max pair against the values it bounds; returns how many of the two were cut.</summary>
    private static int CheckBounds(Statistics statistics, List<byte[]> values)
    {
        var min = statistics.MinValue!;
        var max = statistics.MaxValue!;
        Assert.True(Utf8.IsValid(min), $"min {Convert.ToHexString(min)} is not UTF-8");
        Assert.True(Utf8.IsValid(max), $"max {Convert.ToHexString(max)} is not UTF-8");
        Assert.All(values, v => Assert.True(min.AsSpan().SequenceCompareTo(v) <= 0 && max.AsSpan().SequenceCompareTo(v) >= 0));
        Assert.True(min.Length <= 64 && max.Length <= 64);
        return (values.Any(v => v.AsSpan().SequenceEqual(min)) ? 0 : 1) + (values.Any(v => v.AsSpan().SequenceEqual(max)) ? 0 : 1);
    }
}
