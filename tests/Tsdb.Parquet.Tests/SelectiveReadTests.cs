using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;

namespace Tsdb.Parquet.Tests;

/// <summary>
/// Reads of a few pages: predicate columns narrow the pages' rows to those that match before the other columns are
/// decoded, and a shared cache keeps decoded dictionaries and decompressed pages between reads.
/// </summary>
public sealed class SelectiveReadTests
{
    private static readonly HashSet<string> Tags = ["host", "note"];

    /// <summary>A host-sorted file in pages of 150 rows and row groups of 4,000.</summary>
    private static (RecordBatch Batch, byte[] Bytes) HostSortedFile(int seed, bool dictionary) =>
        HostSortedFile(seed, new ParquetWriterOptions { DictionaryEnabled = dictionary, PageRowLimit = 150, RowGroupSize = 4000 });

    private static (RecordBatch Batch, byte[] Bytes) HostSortedFile(int seed, ParquetWriterOptions options)
    {
        var batch = HostSorted(seed, 6000);
        return (batch, ParquetWriter.ToBytes(TestData.WideSchema, [batch], options));
    }

    /// <summary>12,000 rows of time, a dictionary host and an integer, sorted by host then time (delta-encoded times and integers), in pages of <paramref name="pageRowLimit"/> rows.</summary>
    private static (Tsdb.Arrow.Types.Schema Schema, RecordBatch Batch, byte[] Bytes) HostSortedTimes(int seed, int pageRowLimit)
    {
        var schema = new Tsdb.Arrow.Types.Schema([
            new Field("time", ArrowType.TimestampNanosecond, nullable: false),
            new Field("host", ArrowType.DictionaryUtf8),
            new Field("i64", ArrowType.Int64, nullable: false)]);
        var unsorted = new TestData(seed).Batch(schema, 12_000, 1_000_000);
        var batch = Selection.Take(unsorted, Sorting.SortIndices([(unsorted.Column("host")!, false, false), (unsorted.Column("time")!, false, false)]));
        return (schema, batch, ParquetWriter.ToBytes(schema, [batch], new ParquetWriterOptions { PageRowLimit = pageRowLimit }));
    }

    /// <summary>TestData's rows sorted by host, then time (the order persisted files have).</summary>
    private static RecordBatch HostSorted(int seed, int rows)
    {
        var unsorted = new TestData(seed).Batch(TestData.WideSchema, rows, 1_000_000);
        return Selection.Take(unsorted, Sorting.SortIndices([(unsorted.Column("host")!, false, false), (unsorted.Column("time")!, false, false)]));
    }

    private static async Task<List<RecordBatch>> ReadAsync(ParquetReader reader, ColumnRange[] predicates)
    {
        var read = new List<RecordBatch>();
        await foreach (var b in reader.ReadAsync(null, predicates))
        {
            read.Add(b);
        }
        return read;
    }

    private static RecordBatch Where(RecordBatch batch, Func<RecordBatch, int, bool> keep) =>
        Selection.Take(batch, Enumerable.Range(0, batch.Length).Where(i => keep(batch, i)).ToArray());

    /// <summary>A read of the f64 and i64 columns alone (neither predicate column projected) gives the expected rows' values.</summary>
    private static async Task AssertFieldsOnlyAsync(ParquetReader reader, ColumnRange[] predicates, RecordBatch expected)
    {
        static IEnumerable<string> Fields(RecordBatch b) => Enumerable.Range(0, b.Length).Select(i => $"{b.Column("f64")!.GetObject(i)} {b.Column("i64")!.GetObject(i)}");
        var projected = new List<RecordBatch>();
        await foreach (var b in reader.ReadAsync(["f64", "i64"], predicates))
        {
            projected.Add(b);
        }
        Assert.Equal(Fields(expected), projected.SelectMany(Fields));
    }

    private static string Json(IEnumerable<RecordBatch> batches) => ParquetCanonicalJson.Columns(TestData.WideSchema, [.. batches]).ToJsonString();

    /// <summary>
    /// A read in slices (compaction reads many files at once and holds a slice of each, not a row group) returns every
    /// row once, in file order, in batches no longer than asked, in every encoding, with and without a predicate,
    /// with slices that straddle pages and row groups.
    /// </summary>
    [Theory]
    [InlineData(1, true, 1, 1000)]
    [InlineData(2, false, 2, 333)]
    [InlineData(3, true, 2, 4000)]
    [InlineData(4, false, 1, 1)]
    [InlineData(5, true, 1, 3999)]
    public async Task A_read_in_slices_returns_the_same_rows_in_batches_no_longer_than_asked(int seed, bool dictionary, int pageVersion, int maxRows)
    {
        var (batch, bytes) = HostSortedFile(seed, new ParquetWriterOptions { DictionaryEnabled = dictionary, DataPageVersion = pageVersion, PageRowLimit = 150, RowGroupSize = 4000 });
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        foreach (var predicates in new[] { Array.Empty<ColumnRange>(), [new ColumnRange("host", "host_10", "host_40") { AnyOf = ["host_10", "host_40"] }] })
        {
            var whole = await ReadAsync(reader, predicates);
            var sliced = new List<RecordBatch>();
            await foreach (var b in reader.ReadAsync(null, predicates, maxRows, CancellationToken.None))
            {
                sliced.Add(b);
            }
            Assert.All(sliced, b => Assert.InRange(b.Length, 1, maxRows));
            Assert.Equal(Json(whole), Json(sliced));
            if (predicates.Length == 0)
            {
                Assert.Equal(batch.Length, sliced.Sum(b => b.Length));
                Assert.Equal((int)Math.Ceiling(4000.0 / Math.Min(maxRows, 4000)) + (int)Math.Ceiling(2000.0 / Math.Min(maxRows, 2000)), sliced.Count);
            }
        }
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(5, true)]
    public async Task A_tag_predicate_returns_exactly_the_matching_rows(int seed, bool dictionary)
    {
        var (batch, bytes) = HostSortedFile(seed, dictionary);
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        var expected = Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_10" or "host_40");
        Assert.True(expected.Length > 0, "the seed gives no host_10 or host_40 rows");

        var read = await ReadAsync(reader, [new ColumnRange("host", "host_10", "host_40") { AnyOf = ["host_10", "host_40"] }]);

        // Not the whole pages the two hosts share with their neighbours (or null hosts): their rows, in file order.
        Assert.Equal(Json([expected]), Json(read));
    }

    /// <summary>
    /// One host's rows are a small window of each page they are in: columns without nulls decode only that window
    /// (dictionary indices, PLAIN and BYTE_STREAM_SPLIT values by position, DELTA_BINARY_PACKED up to its end), in
    /// every encoding the writer can choose and in both data page versions.
    /// </summary>
    [Theory]
    [InlineData(1, true, true, true, 1)]
    [InlineData(2, false, true, true, 1)]
    [InlineData(9, false, false, false, 1)]
    [InlineData(8, true, false, true, 2)]
    [InlineData(5, false, true, false, 2)]
    [InlineData(6, false, false, true, 2)]
    public async Task Rows_in_the_middle_of_pages_decode_alone_in_every_encoding(int seed, bool dictionary, bool byteStreamSplit, bool delta, int pageVersion)
    {
        var (batch, bytes) = HostSortedFile(seed, new ParquetWriterOptions
        {
            DictionaryEnabled = dictionary, ByteStreamSplitForFloats = byteStreamSplit, DeltaForIntegers = delta,
            DataPageVersion = pageVersion, PageRowLimit = 700, RowGroupSize = 4000,
        });
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        foreach (var host in new[] { "host_1", "host_25", "host_48" })
        {
            var expected = Where(batch, (b, i) => b.Column("host")!.GetObject(i) as string == host);
            Assert.True(expected.Length > 0, $"seed {seed} gives no {host} rows");

            var read = await ReadAsync(reader, [new ColumnRange("host", host, host)]);

            Assert.Equal(Json([expected]), Json(read));
        }
    }

    [Theory]
    [InlineData(1, true, false)]
    [InlineData(11, true, true)]
    [InlineData(17, true, true)]
    [InlineData(6, false, true)]
    public async Task Two_tag_predicates_narrow_one_after_the_other(int seed, bool dictionary, bool nullNotes)
    {
        // The second predicate is tested on the rows the first left: windows that start inside pages (on indices
        // when the page has no nulls), or rows among nulls.
        var (batch, bytes) = HostSortedFile(seed, dictionary);
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        var expected = Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_12" or "host_33" && b.Column("note")!.GetObject(i) is string note && string.CompareOrdinal(note, "a") >= 0);
        Assert.True(expected.Length > 0, $"seed {seed} gives no rows");
        Assert.Equal(nullNotes, Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_12" or "host_33" && b.Column("note")!.IsNull(i)).Length > 0);

        var read = await ReadAsync(reader, [new ColumnRange("host", "host_12", "host_33") { AnyOf = ["host_12", "host_33"] }, new ColumnRange("note", "a", null)]);

        Assert.Equal(Json([expected]), Json(read));
    }

    [Fact]
    public async Task Tag_and_time_predicates_together_return_the_rows_both_admit()
    {
        var (batch, bytes) = HostSortedFile(1, dictionary: true);
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        var times = ((TimestampArray)batch.Column("time")!).Values.ToArray().Order().ToArray();
        var (from, to) = (times[1000], times[4000]);
        var expected = Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_7" && ((TimestampArray)b.Column("time")!).Values[i] is var t && t >= from && t <= to);
        Assert.True(expected.Length > 0);

        var read = await ReadAsync(reader, [new ColumnRange("time", from, to), new ColumnRange("host", "host_7", "host_7")]);

        Assert.Equal(Json([expected]), Json(read));
    }

    /// <summary>
    /// A selective read with two integer predicates after the tag: the time column the time range decoded is kept
    /// (compacted, not decoded again) and compacted once more when the second predicate narrows the rows again; also
    /// with delta-packed integers, and projected without the time column (then not kept).
    /// </summary>
    [Theory]
    [InlineData(1, true, false)]
    [InlineData(1, false, true)]
    [InlineData(5, true, true)]
    [InlineData(5, false, false)]
    public async Task A_time_range_then_another_integer_predicate_keep_the_time_column_decoded_once(int seed, bool dictionary, bool delta)
    {
        var (batch, bytes) = HostSortedFile(seed, new ParquetWriterOptions { DictionaryEnabled = dictionary, DeltaForIntegers = delta, PageRowLimit = 150, RowGroupSize = 4000 });
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        var times = ((TimestampArray)batch.Column("time")!).Values.ToArray().Order().ToArray();
        // A wide window (most of the series' rows kept in place) and a narrow one (a few rows copied out of the buffer).
        foreach (var (from, to) in new[] { (times[500], times[5000]), (times[2000], times[2400]) })
        {
            bool Admitted(RecordBatch b, int i) => b.Column("host")!.GetObject(i) is "host_7" or "host_30"
                && ((TimestampArray)b.Column("time")!).Values[i] is var t && t >= from && t <= to
                && b.Column("i64")!.GetObject(i) is long v && v >= 0;
            var expected = Where(batch, Admitted);
            Assert.True(expected.Length > 0, $"seed {seed} gives no rows");
            Assert.True(Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_7" or "host_30" && !Admitted(b, i)
                && ((TimestampArray)b.Column("time")!).Values[i] is var t && t >= from && t <= to).Length > 0, "the integer predicate narrows nothing");
            ColumnRange[] predicates = [new ColumnRange("time", from, to), new ColumnRange("i64", 0L, null), new ColumnRange("host", "host_30", "host_7") { AnyOf = ["host_30", "host_7"] }];

            Assert.Equal(Json([expected]), Json(await ReadAsync(reader, predicates)));
            Assert.Equal(Json([Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_7" or "host_30" && ((TimestampArray)b.Column("time")!).Values[i] is var t && t >= from && t <= to)]),
                Json(await ReadAsync(reader, [predicates[0], predicates[2]])));

            await AssertFieldsOnlyAsync(reader, predicates, expected);
        }
    }

    /// <summary>
    /// A large read (row groups far above what decodes in line) of a host-sorted file, whose pages each hold all times
    /// of some hosts: a time range keeps a part of every page, and the read returns exactly the rows inside it — the
    /// time column compacted in place, the other columns decoded for those rows only — also projected without the
    /// time column, in slices, and for a nullable integer column (narrowed, then decoded again).
    /// </summary>
    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public async Task A_large_read_narrows_to_the_rows_inside_a_time_range(int seed, bool dictionary)
    {
        var batch = HostSorted(seed, 120_000);
        var bytes = ParquetWriter.ToBytes(TestData.WideSchema, [batch], new ParquetWriterOptions { DictionaryEnabled = dictionary, PageRowLimit = 1000, RowGroupSize = 60_000 });
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        var times = ((TimestampArray)batch.Column("time")!).Values.ToArray().Order().ToArray();
        var (from, to) = (times[40_000], times[70_000]);
        var expected = Where(batch, (b, i) => ((TimestampArray)b.Column("time")!).Values[i] is var t && t >= from && t <= to);
        Assert.InRange(expected.Length, 29_000, 31_000);

        Assert.Equal(Json([expected]), Json(await ReadAsync(reader, [new ColumnRange("time", from, to)])));

        var sliced = new List<RecordBatch>();
        await foreach (var b in reader.ReadAsync(null, [new ColumnRange("time", from, to)], 50_000, CancellationToken.None))
        {
            sliced.Add(b);
        }
        Assert.Equal(Json([expected]), Json(sliced));

        var projected = new List<RecordBatch>();
        await foreach (var b in reader.ReadAsync(["host", "f64"], [new ColumnRange("time", from, to)]))
        {
            projected.Add(b);
        }
        Assert.Equal(expected.Length, projected.Sum(b => b.Length));
        Assert.Equal(
            Enumerable.Range(0, expected.Length).Select(i => $"{expected.Column("host")!.GetObject(i)} {expected.Column("f64")!.GetObject(i)}"),
            projected.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => $"{b.Column("host")!.GetObject(i)} {b.Column("f64")!.GetObject(i)}")));

        var withNulls = Where(batch, (b, i) => b.Column("i64")!.GetObject(i) is long v && v >= 0);
        Assert.True(withNulls.Length < batch.Length);
        Assert.Equal(Json([withNulls]), Json(await ReadAsync(reader, [new ColumnRange("i64", 0L, null)])));
    }

    /// <summary>
    /// A large read of a host-sorted file whose times are evenly spaced within each host (as scraped or TSBS data
    /// are): the time range is tested as the pages decode (DELTA_BINARY_PACKED windows that skip whole miniblocks of
    /// equal deltas, or PLAIN), alone and after a tag predicate, with the time column projected or not.
    /// </summary>
    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public async Task A_large_read_of_evenly_spaced_times_narrows_to_the_range_in_both_encodings(int seed, bool delta)
    {
        var sorted = HostSorted(seed, 120_000);
        var hosts = sorted.Column("host")!;
        using var even = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        for (int i = 0, k = 0; i < sorted.Length; i++, k++)
        {
            k = i > 0 && Equals(hosts.GetObject(i), hosts.GetObject(i - 1)) ? k : 0;
            even.Append(1_700_000_000_000_000_000 + (k * 10_000_000_000L));
        }
        var timeIndex = TestData.WideSchema.GetFieldIndex("time");
        var batch = new RecordBatch(TestData.WideSchema, [.. Enumerable.Range(0, sorted.ColumnCount).Select(c => c == timeIndex ? even.Build() : sorted.Column(c))], sorted.Length);
        var bytes = ParquetWriter.ToBytes(TestData.WideSchema, [batch], new ParquetWriterOptions { DeltaForIntegers = delta, PageRowLimit = 1000, RowGroupSize = 120_000 });
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        var (from, to) = (1_700_000_000_000_000_000 + (200 * 10_000_000_000L) + 1, 1_700_000_000_000_000_000 + (900 * 10_000_000_000L));
        var inRange = Where(batch, (b, i) => ((TimestampArray)b.Column("time")!).Values[i] is var t && t >= from && t <= to);
        Assert.InRange(inRange.Length, 33_000, 100_000);   // past the few pages a selective read decodes in line
        Assert.Equal(Json([inRange]), Json(await ReadAsync(reader, [new ColumnRange("time", from, to)])));
        await AssertFieldsOnlyAsync(reader, [new ColumnRange("time", from, to)], inRange);

        // 20 hosts' rows (~48,000) are a large read, 3 hosts' a few pages'.
        foreach (var count in new[] { 20, 3 })
        {
            var some = Enumerable.Range(0, hosts.Length).Select(i => hosts.GetObject(i) as string).OfType<string>().Distinct().Order(StringComparer.Ordinal).Take(count).ToList();
            ColumnRange[] predicates = [new ColumnRange("time", from, to), new ColumnRange("host", some[0], some[^1]) { AnyOf = [.. some] }];
            var expected = Where(inRange, (b, i) => b.Column("host")!.GetObject(i) is string h && some.Contains(h));
            Assert.True(expected.Length > 0 && expected.Length < inRange.Length);
            Assert.Equal(Json([expected]), Json(await ReadAsync(reader, predicates)));
            await AssertFieldsOnlyAsync(reader, predicates, expected);
        }
    }

    /// <summary>
    /// A large read of a time-sorted file (every page holds every host) with a tag predicate besides the time range:
    /// the tag narrows the selected pages first, on the pages' dictionary indices, then the time range, so exactly
    /// the series' rows inside the range come back (the time column decoded for those series only), also projected
    /// without either predicate column.
    /// </summary>
    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public async Task A_large_read_narrows_by_tag_before_the_time_range(int seed, bool dictionary)
    {
        var data = new TestData(seed);
        var unsorted = data.Batch(TestData.WideSchema, 120_000, 1_000_000);
        var batch = Selection.Take(unsorted, Sorting.SortIndices([(unsorted.Column("time")!, false, false)]));
        var bytes = ParquetWriter.ToBytes(TestData.WideSchema, [batch], new ParquetWriterOptions { DictionaryEnabled = dictionary, PageRowLimit = 1000, RowGroupSize = 60_000 });
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        var times = ((TimestampArray)batch.Column("time")!).Values.ToArray();
        var (from, to) = (times[10_000], times[100_000]);
        var expected = Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_12" or "host_7" && ((TimestampArray)b.Column("time")!).Values[i] is var t && t >= from && t <= to);
        Assert.InRange(expected.Length, 2_000, 6_000);
        ColumnRange[] predicates = [new ColumnRange("time", from, to), new ColumnRange("host", "host_12", "host_7") { AnyOf = ["host_12", "host_7"] }];

        Assert.Equal(Json([expected]), Json(await ReadAsync(reader, predicates)));

        await AssertFieldsOnlyAsync(reader, predicates, expected);
    }

    [Fact]
    public async Task An_integer_predicate_narrows_rows_and_drops_nulls()
    {
        var (batch, bytes) = HostSortedFile(1, dictionary: true);
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags });
        var expected = Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_3" && b.Column("i64")!.GetObject(i) is long v && v >= 0);
        Assert.True(expected.Length > 0);
        Assert.True(Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_3" && b.Column("i64")!.IsNull(i)).Length > 0, "no null i64 among host_3's rows");

        var read = await ReadAsync(reader, [new ColumnRange("host", "host_3", "host_3"), new ColumnRange("i64", 0L, null)]);

        Assert.Equal(Json([expected]), Json(read));
    }

    [Fact]
    public async Task A_repeated_selective_read_takes_dictionaries_and_pages_from_the_cache()
    {
        var (batch, bytes) = HostSortedFile(1, dictionary: true);
        var cache = new ReadCache(1 << 20);
        var source = new MemoryRandomAccessSource(bytes);
        var reader = await ParquetReader.OpenAsync(source, new ParquetReadOptions { DictionaryColumns = Tags, Cache = cache });
        ColumnRange[] predicate = [new ColumnRange("host", "host_20", "host_20")];

        var before = source.BytesRead;
        var first = await ReadAsync(reader, predicate);
        Assert.True(source.BytesRead > before);
        Assert.True(cache.Count > 0 && cache.Bytes > 0, "the read cached nothing");
        before = source.BytesRead;
        var second = await ReadAsync(reader, predicate);

        // Page indexes are the reader's own, dictionaries and decompressed pages the cache's: nothing is read again.
        Assert.Equal(before, source.BytesRead);
        Assert.Equal(Json([Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_20")]), Json(second));
        Assert.Equal(Json(first), Json(second));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public async Task Cached_and_fetched_pages_mix_in_row_order(int seed)
    {
        var (batch, bytes) = HostSortedFile(seed, dictionary: true);
        var cache = new ReadCache(1 << 20);
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags, Cache = cache });
        _ = await ReadAsync(reader, [new ColumnRange("host", "host_3", "host_3")]);
        _ = await ReadAsync(reader, [new ColumnRange("host", "host_30", "host_30")]);

        // host_20's pages are read, host_3's and host_30's come from the cache (in host order: host_20 < host_3 < host_30).
        var read = await ReadAsync(reader, [new ColumnRange("host", "host_20", "host_30") { AnyOf = ["host_20", "host_3", "host_30"] }]);

        var expected = Where(batch, (b, i) => b.Column("host")!.GetObject(i) is "host_20" or "host_3" or "host_30");
        Assert.True(expected.Length > 0);
        Assert.Equal(Json([expected]), Json(read));
    }

    /// <summary>
    /// Windows deep inside delta-encoded pages (a series' rows in a page of several series), read again from cached
    /// pages, start from the pages' block indexes: integer values and time ranges answer as on the first, uncached read.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Windows_deep_in_cached_delta_pages_read_the_same_rows(int seed)
    {
        var (schema, batch, bytes) = HostSortedTimes(seed, pageRowLimit: 4096);
        var cache = new ReadCache(1 << 24);
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = new HashSet<string> { "host" }, Cache = cache });
        var hosts = Enumerable.Range(0, batch.Length).Select(i => batch.Column("host")!.GetObject(i) as string).Where(h => h is not null).Distinct().Order(StringComparer.Ordinal).ToList();
        var times = (Tsdb.Arrow.Arrays.TimestampArray)batch.Column("time")!;
        var checkedWindows = 0;
        foreach (var host in hosts)
        {
            var rows = Enumerable.Range(0, batch.Length).Where(i => Equals(batch.Column("host")!.GetObject(i), host)).ToList();
            // The middle third of the host's rows by time: inside its pages, past their first blocks.
            var from = times.GetValue(rows[rows.Count / 3]);
            var to = times.GetValue(rows[2 * rows.Count / 3]);
            ColumnRange[] predicates = [new ColumnRange("host", host, host), new ColumnRange("time", from, to)];
            var expected = Where(batch, (b, i) => Equals(b.Column("host")!.GetObject(i), host) && times.GetValue(i) >= from && times.GetValue(i) <= to);
            for (var pass = 0; pass < 3; pass++)
            {
                // Uncached, then cached (the index built), then from the index.
                var read = await ReadAsync(reader, predicates);
                var exact = read.Select(b => Where(b, (r, i) => Equals(r.Column("host")!.GetObject(i), host) && ((Tsdb.Arrow.Arrays.TimestampArray)r.Column("time")!).GetValue(i) >= from && ((Tsdb.Arrow.Arrays.TimestampArray)r.Column("time")!).GetValue(i) <= to));
                Assert.Equal(ParquetCanonicalJson.Columns(schema, [expected]).ToJsonString(), ParquetCanonicalJson.Columns(schema, [.. exact]).ToJsonString());
            }
            checkedWindows++;
        }
        Assert.True(checkedWindows >= 3, $"{checkedWindows} hosts");
        Assert.True(cache.Count > 0);
    }

    /// <summary>
    /// A series' rows straddle pages, and the page indexes of a tag and a time range select both pages; the time range
    /// then narrows the rows to one of them. Every page fetched is kept, decoded or not, so that the same read again
    /// reads nothing (it used to fetch the page it then skipped, on every repeat).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_repeated_read_whose_time_range_skips_a_fetched_page_reads_nothing_again(int seed)
    {
        var (schema, batch, bytes) = HostSortedTimes(seed, pageRowLimit: 256);
        var source = new MemoryRandomAccessSource(bytes);
        var reader = await ParquetReader.OpenAsync(source, new ParquetReadOptions { DictionaryColumns = new HashSet<string> { "host" }, Cache = new ReadCache(1 << 24) });
        var times = (TimestampArray)batch.Column("time")!;
        var skipped = 0;
        foreach (var host in Enumerable.Range(0, batch.Length).Select(i => batch.Column("host")!.GetObject(i) as string).Where(h => h is not null).Distinct())
        {
            var rows = Enumerable.Range(0, batch.Length).Where(i => Equals(batch.Column("host")!.GetObject(i), host)).ToList();
            // The host's first and last few rows by time: its first page or its last, rarely both.
            foreach (var (from, to) in new[] { (times.GetValue(rows[0]), times.GetValue(rows[2])), (times.GetValue(rows[^3]), times.GetValue(rows[^1])) })
            {
                ColumnRange[] predicates = [new ColumnRange("host", host, host), new ColumnRange("time", from, to)];
                var expected = Where(batch, (b, i) => Equals(b.Column("host")!.GetObject(i), host) && times.GetValue(i) >= from && times.GetValue(i) <= to);
                var first = await ReadAsync(reader, predicates);
                var before = source.BytesRead;
                var again = await ReadAsync(reader, predicates);
                Assert.Equal(before, source.BytesRead);
                Assert.Equal(ParquetCanonicalJson.Columns(schema, first).ToJsonString(), ParquetCanonicalJson.Columns(schema, again).ToJsonString());
                var exact = again.Select(b => Where(b, (r, i) => Equals(r.Column("host")!.GetObject(i), host) && ((TimestampArray)r.Column("time")!).GetValue(i) >= from && ((TimestampArray)r.Column("time")!).GetValue(i) <= to));
                Assert.Equal(ParquetCanonicalJson.Columns(schema, [expected]).ToJsonString(), ParquetCanonicalJson.Columns(schema, [.. exact]).ToJsonString());
                skipped += rows[0] / 256 != rows[^1] / 256 ? 1 : 0;
            }
        }
        Assert.True(skipped >= 4, $"{skipped} windows of hosts whose rows straddle pages");
    }

    [Fact]
    public async Task Whole_reads_leave_the_cache_alone()
    {
        var (batch, bytes) = HostSortedFile(1, dictionary: true);
        var cache = new ReadCache(1 << 20);
        var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags, Cache = cache });

        var all = await reader.ReadAllAsync();

        Assert.Equal(Json([batch]), Json(all));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task The_cache_keeps_within_its_budget()
    {
        var cache = new ReadCache(4096);
        for (var seed = 1; seed <= 6; seed++)
        {
            var (_, bytes) = HostSortedFile(seed, dictionary: true);
            var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), new ParquetReadOptions { DictionaryColumns = Tags, Cache = cache });
            _ = await ReadAsync(reader, [new ColumnRange("host", "host_20", "host_20")]);
            Assert.InRange(cache.Bytes, 0, cache.CapacityBytes);
        }
        Assert.True(cache.Count > 0);
    }
}
