using System.IO.Hashing;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;

namespace Tsdb.Parquet.Tests;

/// <summary>PageHeader.crc: written for every page, checked on read when present.</summary>
public sealed class PageChecksumTests
{
    private static byte[] File(int pageVersion, CompressionCodec codec, bool checksums = true)
    {
        var data = new TestData(21);
        var batch = data.Batch(TestData.WideSchema, 2000, 1_700_000_000_000_000_000);
        return ParquetWriter.ToBytes(TestData.WideSchema, [batch], new ParquetWriterOptions
        {
            Compression = codec,
            DataPageVersion = pageVersion,
            PageRowLimit = 300,
            PageChecksums = checksums,
        });
    }

    [Theory]
    [InlineData(1, CompressionCodec.Uncompressed)]
    [InlineData(1, CompressionCodec.Snappy)]
    [InlineData(2, CompressionCodec.Zstd)]
    [InlineData(2, CompressionCodec.Gzip)]
    public async Task Every_page_carries_the_CRC_32_of_its_bytes_as_stored(int pageVersion, CompressionCodec codec)
    {
        var file = File(pageVersion, codec);
        var reader = await ParquetReader.OpenAsync(file);
        var pages = 0;
        foreach (var chunk in reader.Metadata.RowGroups.SelectMany(g => g.Columns))
        {
            foreach (var page in ChunkPages.Of(file, chunk.MetaData!))
            {
                Assert.NotNull(page.Header.Crc);
                Assert.Equal(Crc32.HashToUInt32(ChunkPages.Body(file, page)), unchecked((uint)page.Header.Crc!.Value));
                pages++;
            }
        }
        Assert.True(pages > TestData.WideSchema.FieldCount * 2, $"{pages} pages");
    }

    [Theory]
    [InlineData(1, CompressionCodec.Uncompressed, "i64")]
    [InlineData(2, CompressionCodec.Uncompressed, "req")]
    [InlineData(1, CompressionCodec.Snappy, "host")]
    [InlineData(2, CompressionCodec.Zstd, "note")]
    public async Task A_damaged_page_is_an_error_naming_the_column_and_the_page(int pageVersion, CompressionCodec codec, string column)
    {
        var file = File(pageVersion, codec);
        var reader = await ParquetReader.OpenAsync(file);
        var index = TestData.WideSchema.Fields.ToList().FindIndex(f => f.Name == column);
        var pages = ChunkPages.Of(file, reader.Metadata.RowGroups[0].Columns[index].MetaData!);
        // The last page's last byte: values, not levels or lengths, so without the check an uncompressed page would
        // decode to a wrong value instead of failing.
        var page = pages[^1];
        file[page.BodyOffset + page.Header.CompressedPageSize - 1] ^= 0x10;
        var damaged = await ParquetReader.OpenAsync(file);
        var e = await Assert.ThrowsAsync<ParquetFormatException>(() => damaged.ReadAllAsync());
        Assert.StartsWith($"column '{column}': {page.Header.Type} page at file offset {page.Offset} fails its CRC check", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_dictionary_page_is_an_error()
    {
        var schema = new Tsdb.Arrow.Types.Schema([new Tsdb.Arrow.Types.Field("tag", Tsdb.Arrow.Types.ArrowType.DictionaryUtf8)]);
        using var tags = new Tsdb.Arrow.Builders.DictionaryArrayBuilder();
        for (var i = 0; i < 500; i++)
        {
            tags.Append($"tag-{i % 5}");
        }
        var file = ParquetWriter.ToBytes(schema, [new Tsdb.Arrow.Arrays.RecordBatch(schema, [tags.Build()], 500)], new ParquetWriterOptions { Compression = CompressionCodec.Uncompressed });
        var reader = await ParquetReader.OpenAsync(file);
        var dictionary = ChunkPages.Of(file, reader.Metadata.RowGroups[0].Columns[0].MetaData!)[0];
        Assert.Equal(PageType.DictionaryPage, dictionary.Header.Type);
        file[dictionary.BodyOffset + 8] ^= 0x01; // "tag-0" becomes "tag-1": without the check, wrong values
        var damaged = await ParquetReader.OpenAsync(file);
        var e = await Assert.ThrowsAsync<ParquetFormatException>(() => damaged.ReadAllAsync(["tag"]));
        Assert.StartsWith($"column 'tag': DictionaryPage page at file offset {dictionary.Offset} fails its CRC check", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_without_CRCs_read_and_the_check_can_be_turned_off()
    {
        var without = File(1, CompressionCodec.Snappy, checksums: false);
        var with = File(1, CompressionCodec.Snappy);
        var reader = await ParquetReader.OpenAsync(without);
        Assert.All(reader.Metadata.RowGroups.SelectMany(g => g.Columns).SelectMany(c => ChunkPages.Of(without, c.MetaData!)), p => Assert.Null(p.Header.Crc));
        var expected = ParquetCanonicalJson.Columns(TestData.WideSchema, await (await ParquetReader.OpenAsync(with)).ReadAllAsync()).ToJsonString();
        Assert.Equal(expected, ParquetCanonicalJson.Columns(TestData.WideSchema, await reader.ReadAllAsync()).ToJsonString());

        // With the check off, a damaged uncompressed value page decodes (to a wrong value): the check is what stops it.
        var file = File(1, CompressionCodec.Uncompressed);
        var pages = ChunkPages.Of(file, (await ParquetReader.OpenAsync(file)).Metadata.RowGroups[0].Columns[14].MetaData!);
        file[pages[^1].BodyOffset + pages[^1].Header.CompressedPageSize - 1] ^= 0x10;
        var uncheckedReader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(file), new ParquetReadOptions { VerifyPageChecksums = false });
        var read = await uncheckedReader.ReadAllAsync(["req"]);
        Assert.NotEqual(
            ParquetCanonicalJson.Columns(new([TestData.WideSchema[14]]), await (await ParquetReader.OpenAsync(File(1, CompressionCodec.Uncompressed))).ReadAllAsync(["req"])).ToJsonString(),
            ParquetCanonicalJson.Columns(new([TestData.WideSchema[14]]), read).ToJsonString());
    }
}
