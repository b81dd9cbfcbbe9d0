using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;

namespace Tsdb.Parquet.Tests;

/// <summary>
/// A string column whose dictionary passes its size limit part-way through a chunk: the pages before stay
/// dictionary-encoded, that page and the later ones are PLAIN, and the metadata says so.
/// </summary>
public sealed class DictionaryFallbackTests
{
    public static readonly Tsdb.Arrow.Types.Schema Schema = new([new Field("s", ArrowType.Utf8), new Field("tag", ArrowType.DictionaryUtf8)]);

    /// <summary>
    /// <paramref name="repeating"/> rows drawing on ten values, then rows of distinct 100-byte values (every
    /// seventh null); the tag column repeats five values throughout.
    /// </summary>
    public static RecordBatch Batch(int repeating, int distinct)
    {
        using var plain = new VariableWidthArrayBuilder(ArrowType.Utf8);
        using var tags = new DictionaryArrayBuilder();
        for (var i = 0; i < repeating + distinct; i++)
        {
            if (i % 7 == 3)
            {
                plain.AppendNull();
            }
            else
            {
                plain.Append(System.Text.Encoding.UTF8.GetBytes(i < repeating ? $"value-{i % 10}" : $"{i:D8}-{new string('ż', 46)}"));
            }
            tags.Append($"tag-{i % 5}");
        }
        return new RecordBatch(Schema, [plain.Build(), tags.Build()], repeating + distinct);
    }

    public static ParquetWriterOptions Options(int pageVersion) => new() { PageRowLimit = 200, DictionaryPageSizeLimit = 8_000, DataPageVersion = pageVersion };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Pages_after_the_dictionary_fills_up_are_plain(int pageVersion)
    {
        var batch = Batch(1000, 2000);
        var file = ParquetWriter.ToBytes(Schema, [batch], Options(pageVersion));
        var reader = await ParquetReader.OpenAsync(file);
        var meta = reader.Metadata.RowGroups[0].Columns[0].MetaData!;
        var pages = ChunkPages.Of(file, meta);
        var dataPageType = pageVersion == 2 ? PageType.DataPageV2 : PageType.DataPage;

        // 15 pages of 200 rows: the first five draw on ten values; in the sixth the distinct values start and about
        // 75 of them (~100 bytes each) take the dictionary past 8,000 bytes, so pages 6–15 are PLAIN.
        Assert.Equal(PageType.DictionaryPage, pages[0].Header.Type);
        Assert.Equal(10, pages[0].Header.DictionaryPageHeader!.NumValues);
        var encodings = pages.Skip(1).Select(ChunkPages.ValueEncoding).ToList();
        Assert.Equal([.. Enumerable.Repeat(Encoding.RleDictionary, 5), .. Enumerable.Repeat(Encoding.Plain, 10)], encodings);
        Assert.All(pages.Skip(1), p => Assert.Equal(dataPageType, p.Header.Type));
        Assert.Equal(pages[0].Offset, meta.DictionaryPageOffset);
        Assert.Equal(pages[1].Offset, meta.DataPageOffset);

        Assert.Contains(Encoding.RleDictionary, meta.Encodings);
        Assert.Contains(Encoding.Plain, meta.Encodings);
        var stats = meta.EncodingStats!.Select(s => (s.PageType, s.Encoding, s.Count)).Order().ToList();
        Assert.Equal(
            new List<(PageType, Encoding, int)> { (PageType.DictionaryPage, Encoding.Plain, 1), (dataPageType, Encoding.Plain, 10), (dataPageType, Encoding.RleDictionary, 5) }.Order(),
            stats);

        // The tag column never fills its dictionary.
        var tag = reader.Metadata.RowGroups[0].Columns[1].MetaData!;
        Assert.All(ChunkPages.Of(file, tag).Skip(1), p => Assert.Equal(Encoding.RleDictionary, ChunkPages.ValueEncoding(p)));

        Assert.Equal(ParquetCanonicalJson.Columns(Schema, [batch]).ToJsonString(), ParquetCanonicalJson.Columns(Schema, await reader.ReadAllAsync()).ToJsonString());
        var dictionaries = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(file), new ParquetReadOptions { DictionaryColumns = new HashSet<string> { "s" } });
        Assert.Equal(ParquetCanonicalJson.Columns(Schema, [batch]).ToJsonString(), ParquetCanonicalJson.Columns(Schema, await dictionaries.ReadAllAsync()).ToJsonString());
    }

    [Fact]
    public async Task Selective_reads_take_rows_from_dictionary_and_plain_pages()
    {
        var batch = Batch(1000, 2000);
        var file = ParquetWriter.ToBytes(Schema, [batch], Options(1));
        var reader = await ParquetReader.OpenAsync(file);
        var far = (string)batch.Column(0).GetObject(2500)!;
        var selected = new List<RecordBatch>();
        await foreach (var b in reader.ReadAsync(predicates: [new ColumnRange("s", null, null) { AnyOf = ["value-3", far] }]))
        {
            selected.Add(b);
        }
        // The page index skips the PLAIN pages that cannot hold either value; what is read decodes right.
        Assert.True(selected.Sum(b => b.Length) < 2000, $"{selected.Sum(b => b.Length)} rows read");
        var matching = selected.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => b.Column(0).GetObject(i) as string)).Where(v => v is "value-3" || v == far).ToList();
        Assert.Equal(Enumerable.Range(0, 1000).Count(i => i % 10 == 3 && i % 7 != 3) + 1, matching.Count);
        Assert.Contains(far, matching);
    }

    [Fact]
    public async Task A_first_page_that_fills_the_dictionary_makes_a_plain_chunk()
    {
        var batch = Batch(0, 1000);
        var file = ParquetWriter.ToBytes(Schema, [batch], Options(1));
        var reader = await ParquetReader.OpenAsync(file);
        var meta = reader.Metadata.RowGroups[0].Columns[0].MetaData!;
        Assert.Null(meta.DictionaryPageOffset);
        Assert.All(ChunkPages.Of(file, meta), p => Assert.Equal(Encoding.Plain, ChunkPages.ValueEncoding(p)));
        Assert.DoesNotContain(Encoding.RleDictionary, meta.Encodings);
        Assert.Equal([(PageType.DataPage, Encoding.Plain, 5)], meta.EncodingStats!.Select(s => (s.PageType, s.Encoding, s.Count)));
        Assert.Equal(ParquetCanonicalJson.Columns(Schema, [batch]).ToJsonString(), ParquetCanonicalJson.Columns(Schema, await reader.ReadAllAsync()).ToJsonString());
    }

    [Theory]
    [InlineData(20_000)]
    // A page per run: the selective read then picks the last page alone and tests its indices as runs.
    [InlineData(100)]
    public async Task A_dictionary_index_past_the_dictionary_is_a_format_error_on_every_read_path(int pageRows)
    {
        // Three runs of a three-entry dictionary (indices of 2 bits), stored plainly so that the last run's index can be
        // rewritten from 2 to 3: it fits the bit width but names no entry.
        var schema = new Tsdb.Arrow.Types.Schema([new Field("tag", ArrowType.DictionaryUtf8, nullable: false)]);
        using var tags = new DictionaryArrayBuilder();
        for (var i = 0; i < 300; i++)
        {
            tags.Append($"tag-{i / 100}");
        }
        var file = ParquetWriter.ToBytes(schema, [new RecordBatch(schema, [tags.Build()], 300)],
            new ParquetWriterOptions { Compression = CompressionCodec.Uncompressed, PageChecksums = false, PageRowLimit = pageRows });
        var meta = (await ParquetReader.OpenAsync(file)).Metadata.RowGroups[0].Columns[0].MetaData!;
        var page = ChunkPages.Of(file, meta).Last(p => p.Header.Type == PageType.DataPage);
        var last = (int)page.BodyOffset + page.Header.CompressedPageSize - 1;
        Assert.Equal(2, file[last]);
        file[last] = 3;
        foreach (var dictionaryColumns in new[] { new HashSet<string>(), new HashSet<string> { "tag" } })
        {
            var reader = await ParquetReader.OpenAsync(file, new ParquetReadOptions { DictionaryColumns = dictionaryColumns });
            var whole = await Assert.ThrowsAsync<ParquetFormatException>(() => reader.ReadAllAsync());
            Assert.Contains("dictionary index 3 outside a dictionary of 3", whole.Message, StringComparison.Ordinal);
            // A selective read tests the predicate on the indices themselves.
            var filtered = await Assert.ThrowsAsync<ParquetFormatException>(async () =>
            {
                await foreach (var _ in reader.ReadAsync(["tag"], [new ColumnRange("tag", "tag-2", "tag-2")]))
                {
                }
            });
            Assert.Contains("dictionary index 3 outside a dictionary of 3", filtered.Message, StringComparison.Ordinal);
            // A list of values is tested row by row even where a page's bounds lie inside it.
            var listed = await Assert.ThrowsAsync<ParquetFormatException>(async () =>
            {
                await foreach (var _ in reader.ReadAsync(["tag"], [new ColumnRange("tag", "tag-2", "tag-2") { AnyOf = ["tag-2"] }]))
                {
                }
            });
            Assert.Contains("dictionary index 3 outside a dictionary of 3", listed.Message, StringComparison.Ordinal);
        }
    }
}
