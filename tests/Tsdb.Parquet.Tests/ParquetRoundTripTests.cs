using Tsdb.Arrow.Arrays;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;

namespace Tsdb.Parquet.Tests;

public sealed class ParquetRoundTripTests
{
    public static TheoryData<int, CompressionCodec, int, bool> Cases()
    {
        var data = new TheoryData<int, CompressionCodec, int, bool>();
        CompressionCodec[] codecs = [CompressionCodec.Uncompressed, CompressionCodec.Snappy, CompressionCodec.Gzip, CompressionCodec.Zstd];
        for (var seed = 1; seed <= 16; seed++)
        {
            data.Add(seed, codecs[seed % 4], 1 + (seed % 2), seed % 3 != 0);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Batches_read_back_identically(int seed, CompressionCodec codec, int pageVersion, bool dictionary)
    {
        var data = new TestData(seed);
        var batches = Enumerable.Range(0, 3).Select(i => data.Batch(TestData.WideSchema, data.Rng.Next(0, 3000), 1_700_000_000_000_000_000L + (i * 100_000_000_000_000L))).ToList();
        var options = new ParquetWriterOptions
        {
            Compression = codec,
            DataPageVersion = pageVersion,
            DictionaryEnabled = dictionary,
            RowGroupSize = 2500,
            PageRowLimit = 700,
            DeltaForIntegers = seed % 2 == 0,
        };
        var bytes = ParquetWriter.ToBytes(TestData.WideSchema, batches, options);
        var reader = await ParquetReader.OpenAsync(bytes);
        var read = await reader.ReadAllAsync();

        Assert.Equal(batches.Sum(b => b.Length), reader.RowCount);
        Assert.Equal(
            ParquetCanonicalJson.Columns(TestData.WideSchema, batches).ToJsonString(),
            ParquetCanonicalJson.Columns(TestData.WideSchema, read).ToJsonString());
    }

    [Fact]
    public async Task String_columns_can_come_back_as_dictionary_arrays()
    {
        var data = new TestData(8);
        var batch = data.Batch(TestData.WideSchema, 3000, 0);
        foreach (var dictionary in new[] { true, false })
        {
            var bytes = ParquetWriter.ToBytes(TestData.WideSchema, [batch], new ParquetWriterOptions { DictionaryEnabled = dictionary, PageRowLimit = 500 });
            var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = new HashSet<string> { "host", "note" } });
            Assert.Equal(Tsdb.Arrow.Types.ArrowType.DictionaryUtf8, reader.Schema[1].Type);
            Assert.Equal(Tsdb.Arrow.Types.ArrowType.Binary, reader.Schema[11].Type); // binary stays binary
            var read = await reader.ReadAllAsync();
            Assert.IsType<DictionaryArray>(read[0].Column("host"));
            Assert.True(((DictionaryArray)read[0].Column("host")!).Dictionary.Length <= 50);
            Assert.Equal(
                ParquetCanonicalJson.Columns(TestData.WideSchema, [batch]).ToJsonString(),
                ParquetCanonicalJson.Columns(TestData.WideSchema, read).ToJsonString());
        }
    }

    [Fact]
    public async Task Projection_reads_only_the_columns_asked_for()
    {
        var data = new TestData(3);
        var batch = data.Batch(TestData.WideSchema, 5000, 0);
        var bytes = ParquetWriter.ToBytes(TestData.WideSchema, [batch]);
        var source = new MemoryRandomAccessSource(bytes);
        var reader = await ParquetReader.OpenAsync(source);
        var before = source.BytesRead;
        var read = await reader.ReadAllAsync(["f64", "time"]);
        Assert.Equal(["f64", "time"], read[0].Schema.Fields.Select(f => f.Name));
        var chunkBytes = reader.Metadata.RowGroups[0].Columns.Where((_, i) => i is 0 or 4).Sum(c => c.MetaData!.TotalCompressedSize);
        Assert.Equal(chunkBytes, source.BytesRead - before);
        Assert.Equal(
            ParquetCanonicalJson.Columns(new([TestData.WideSchema[4], TestData.WideSchema[0]]), [batch]).ToJsonString(),
            ParquetCanonicalJson.Columns(read[0].Schema, read).ToJsonString());
    }

    [Fact]
    public async Task Row_groups_and_pages_outside_a_time_range_are_not_read()
    {
        var data = new TestData(4);
        var batch = data.Batch(TestData.WideSchema, 40_000, 1_000_000_000_000_000_000);
        var options = new ParquetWriterOptions { RowGroupSize = 10_000, PageRowLimit = 1_000 };
        var bytes = ParquetWriter.ToBytes(TestData.WideSchema, [batch], options);
        var times = ((TimestampArray)batch.Column(0)).Values.ToArray();
        var (from, to) = (times[12_345], times[12_999]);

        var source = new MemoryRandomAccessSource(bytes);
        var reader = await ParquetReader.OpenAsync(source);
        var predicate = new[] { new ColumnRange("time", from, to) };
        Assert.Equal([1], reader.SelectRowGroups(predicate));
        var before = source.BytesRead;
        var batches = new List<RecordBatch>();
        await foreach (var b in reader.ReadAsync(null, predicate))
        {
            batches.Add(b);
        }
        var rows = batches.Sum(b => b.Length);
        // Pages of 1,000 rows: only rows 12,000–12,999 are read (one page per column), not the whole 10,000-row group,
        // and the time column narrows them to the 655 rows in the range before the other columns are decoded.
        Assert.Equal(655, rows);
        Assert.True(source.BytesRead - before < bytes.Length / 20, $"read {source.BytesRead - before} of {bytes.Length} bytes");
        var readTimes = ((TimestampArray)batches[0].Column(0)).Values.ToArray();
        Assert.Equal(times.AsSpan(12_345, 655).ToArray(), readTimes);
        // Every column comes from the same rows.
        Assert.Equal(
            ParquetCanonicalJson.Columns(TestData.WideSchema, [batch.Slice(12_345, 655)]).ToJsonString(),
            ParquetCanonicalJson.Columns(TestData.WideSchema, batches).ToJsonString());

        Assert.Empty(reader.SelectRowGroups([new ColumnRange("time", times[^1] + 1, null)]));
        Assert.Equal(4, reader.SelectRowGroups([new ColumnRange("host", "host_0", "host_9")]).Count);

        // Asked again, the reader has the page indexes already: only pages are read, and the same rows come back.
        var firstRead = source.BytesRead - before;
        before = source.BytesRead;
        var again = new List<RecordBatch>();
        await foreach (var b in reader.ReadAsync(null, predicate))
        {
            again.Add(b);
        }
        Assert.True(source.BytesRead - before < firstRead, $"second read {source.BytesRead - before} bytes, first {firstRead}");
        Assert.Equal(
            ParquetCanonicalJson.Columns(TestData.WideSchema, batches).ToJsonString(),
            ParquetCanonicalJson.Columns(TestData.WideSchema, again).ToJsonString());
    }

    [Theory]
    [InlineData(1, true, 1)]
    [InlineData(2, true, 2)]
    [InlineData(3, false, 1)]
    [InlineData(5, true, 2)]
    public async Task Pages_selected_by_an_in_list_read_back_the_same_rows_as_a_full_read(int seed, bool dictionary, int pageVersion)
    {
        // Sorted by host, so host IN ('host_10', 'host_40') selects two separate runs of pages; dictionary tags
        // come back as dictionary arrays, nulls and all.
        var data = new TestData(seed);
        var unsorted = data.Batch(TestData.WideSchema, 6000, 0);
        var batch = Tsdb.Arrow.Compute.Selection.Take(unsorted, Tsdb.Arrow.Compute.Sorting.SortIndices([(unsorted.Column("host")!, false, false)]));
        var bytes = ParquetWriter.ToBytes(TestData.WideSchema, [batch], new ParquetWriterOptions { DictionaryEnabled = dictionary, PageRowLimit = 150, DataPageVersion = pageVersion, RowGroupSize = 4000 });
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = new HashSet<string> { "host", "note" } });
        var predicate = new[] { new ColumnRange("host", "host_10", "host_40") { AnyOf = ["host_10", "host_40"] } };
        var read = new List<RecordBatch>();
        await foreach (var b in reader.ReadAsync(null, predicate))
        {
            read.Add(b);
        }
        var all = await reader.ReadAllAsync();

        static RecordBatch[] Matching(IEnumerable<RecordBatch> batches) =>
            [.. batches.Select(b => Tsdb.Arrow.Compute.Selection.Take(b, Enumerable.Range(0, b.Length).Where(i => b.Column("host")!.GetObject(i) is "host_10" or "host_40").ToArray()))];
        Assert.True(read.Sum(b => b.Length) < batch.Length / 2, $"read {read.Sum(b => b.Length)} of {batch.Length} rows");
        Assert.Equal(
            ParquetCanonicalJson.Columns(TestData.WideSchema, Matching([batch])).ToJsonString(),
            ParquetCanonicalJson.Columns(TestData.WideSchema, Matching(read)).ToJsonString());
        Assert.Equal(
            ParquetCanonicalJson.Columns(TestData.WideSchema, [batch]).ToJsonString(),
            ParquetCanonicalJson.Columns(TestData.WideSchema, all).ToJsonString());
        Assert.All(read, b => Assert.IsType<DictionaryArray>(b.Column("host")));
    }

    [Fact]
    public async Task Metadata_sorting_columns_and_statistics_are_written()
    {
        var data = new TestData(5);
        var batch = data.Batch(TestData.WideSchema, 1000, 0);
        var options = new ParquetWriterOptions
        {
            KeyValueMetadata = [new("tsdb:sort_key", "host,time"), new("tsdb:time_range", "0..1")],
            SortingColumns = [(1, false, true), (0, false, true)],
        };
        var reader = await ParquetReader.OpenAsync(ParquetWriter.ToBytes(TestData.WideSchema, [batch], options));
        Assert.Equal("host,time", reader.Schema.GetMetadata("tsdb:sort_key"));
        var group = reader.Metadata.RowGroups[0];
        Assert.Equal([1, 0], group.SortingColumns!.Select(s => s.ColumnIdx));
        var time = group.Columns[0].MetaData!;
        var times = ((TimestampArray)batch.Column(0)).Values;
        Assert.Equal(times[0], BitConverter.ToInt64(time.Statistics!.MinValue));
        Assert.Equal(times[^1], BitConverter.ToInt64(time.Statistics!.MaxValue));
        Assert.Equal(0, time.Statistics!.NullCount);
        Assert.NotNull(group.Columns[0].ColumnIndexOffset);
        Assert.NotNull(group.Columns[0].OffsetIndexOffset);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, 2, new byte[] { 1, 3 }, false)]
    [InlineData(new byte[] { 1, 0xFF, 0xFF }, 2, new byte[] { 2 }, false)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF }, 2, new byte[] { 0xFF, 0xFF, 0xFF }, true)]
    [InlineData(new byte[] { 5 }, 2, new byte[] { 5 }, true)]
    public void Truncated_maximum_stays_an_upper_bound(byte[] value, int length, byte[] expected, bool exact)
    {
        var (bound, isExact) = PageStatistics.TruncateMax(value, length);
        Assert.Equal(expected, bound);
        Assert.Equal(exact, isExact);
        Assert.True(bound.AsSpan().SequenceCompareTo(value) >= 0);
    }
}
