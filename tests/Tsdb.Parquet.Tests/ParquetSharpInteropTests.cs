using System.Text.Json.Nodes;
using ParquetSharp;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;
using TheirCodec = ParquetSharp.Compression;
using OurCodec = Tsdb.Parquet.Metadata.CompressionCodec;
using OurEncoding = Tsdb.Parquet.Metadata.Encoding;
using OurPageType = Tsdb.Parquet.Metadata.PageType;

namespace Tsdb.Parquet.Tests;

/// <summary>
/// Our Parquet against ParquetSharp (parquet-cpp 25, Apache Arrow's C++ implementation), beside DuckDB, parquet-wasm
/// and hyparquet in <see cref="ParquetInteropTests"/>: it reads every column type and codec we write (checking our
/// page CRCs as it goes), and we read what it writes with each codec, encoding, page version and CRC setting.
/// </summary>
public sealed class ParquetSharpInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-parquetsharp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<OurCodec, int, bool> OurVariants()
    {
        var data = new TheoryData<OurCodec, int, bool>();
        foreach (var codec in new[] { OurCodec.Uncompressed, OurCodec.Snappy, OurCodec.Gzip, OurCodec.Zstd })
        {
            data.Add(codec, 1, true);
            data.Add(codec, 2, true);
        }
        data.Add(OurCodec.Zstd, 1, false);
        data.Add(OurCodec.Uncompressed, 2, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(OurVariants))]
    public void ParquetSharp_reads_our_files_exactly(OurCodec codec, int pageVersion, bool dictionaryAndDelta)
    {
        var data = new TestData(40 + (int)codec + pageVersion);
        var batches = new[] { data.Batch(TestData.WideSchema, 2500, 1_700_000_000_123_456_789), data.Batch(TestData.WideSchema, 1200, 1_800_000_000_987_654_321) };
        var options = new ParquetWriterOptions
        {
            Compression = codec,
            DataPageVersion = pageVersion,
            RowGroupSize = 3000,
            PageRowLimit = 700,
            DictionaryEnabled = dictionaryAndDelta,
            DeltaForIntegers = dictionaryAndDelta,
            ByteStreamSplitForFloats = dictionaryAndDelta,
        };
        var path = Path.Combine(_dir, "ours.parquet");
        File.WriteAllBytes(path, ParquetWriter.ToBytes(TestData.WideSchema, batches, options));

        Assert.Equal(ParquetCanonicalJson.Columns(TestData.WideSchema, batches).ToJsonString(), ParquetSharpFiles.Read(path).ToJsonString());

        using var file = new ParquetFileReader(path);
        var time = (TimestampLogicalType)file.FileMetaData.Schema.Column(0).LogicalType;
        Assert.Equal(ParquetSharp.TimeUnit.Nanos, time.TimeUnit);
        Assert.False(time.IsAdjustedToUtc); // as IOx writes it: DuckDB then keeps every nanosecond
        Assert.IsType<StringLogicalType>(file.FileMetaData.Schema.Column(1).LogicalType);
        using var rowGroup = file.RowGroup(0);
        using var chunk = rowGroup.MetaData.GetColumnChunkMetaData(0);
        Assert.Equal(ParquetCodecName(codec), chunk.Compression);
    }

    [Fact]
    public void ParquetSharp_checks_our_page_CRCs()
    {
        // So that the reads above, with its verification on, vouch for our CRCs: a flipped byte fails there too.
        var batch = new TestData(5).Batch(TestData.WideSchema, 1000, 1_700_000_000_000_000_000);
        var bytes = ParquetWriter.ToBytes(TestData.WideSchema, [batch], new ParquetWriterOptions { Compression = OurCodec.Uncompressed });
        var meta = Tsdb.Parquet.Metadata.FileMetaData.Parse(bytes.AsSpan(bytes.Length - 8 - BitConverter.ToInt32(bytes, bytes.Length - 8), BitConverter.ToInt32(bytes, bytes.Length - 8)));
        var page = ChunkPages.Of(bytes, meta.RowGroups[0].Columns[14].MetaData!).Last();
        bytes[page.BodyOffset + page.Header.CompressedPageSize - 1] ^= 0x10;
        var path = Path.Combine(_dir, "damaged.parquet");
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsAny<Exception>(() => ParquetSharpFiles.Read(path));
        Assert.Contains("CRC", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static TheirCodec ParquetCodecName(OurCodec codec) => codec switch
    {
        OurCodec.Snappy => TheirCodec.Snappy,
        OurCodec.Gzip => TheirCodec.Gzip,
        OurCodec.Zstd => TheirCodec.Zstd,
        _ => TheirCodec.Uncompressed,
    };

    public static TheoryData<TheirCodec, string, int, bool> TheirVariants() => new()
    {
        // codec, encodings, data page version, page CRCs
        { TheirCodec.Snappy, "dictionary", 1, true },
        { TheirCodec.Zstd, "dictionary", 2, true },
        { TheirCodec.Gzip, "plain", 1, false },
        { TheirCodec.Brotli, "delta", 2, true },
        { TheirCodec.Lz4, "delta", 1, false },
        { TheirCodec.Uncompressed, "plain", 2, true },
        { TheirCodec.Zstd, "delta", 1, true },
        { TheirCodec.Snappy, "plain", 2, false },
        { TheirCodec.Uncompressed, "dictionary", 1, false },
    };

    [Theory]
    [MemberData(nameof(TheirVariants))]
    public async Task We_read_what_ParquetSharp_writes(TheirCodec codec, string encodings, int pageVersion, bool checksums)
    {
        var (path, expected) = WriteWithParquetSharp(codec, encodings, pageVersion, checksums, rows: 5000, seed: (int)codec * 10 + pageVersion);
        var bytes = await File.ReadAllBytesAsync(path);
        var reader = await ParquetReader.OpenAsync(bytes);
        Assert.Equal(expected.ToJsonString(), ParquetCanonicalJson.Columns(reader.Schema, await reader.ReadAllAsync()).ToJsonString());
        Assert.Equal(3, reader.RowGroupCount);

        // The file is what was asked for: encodings, page version, CRCs.
        var chunks = reader.Metadata.RowGroups.SelectMany(g => g.Columns).ToList();
        var i64 = chunks[2].MetaData!;
        Assert.Contains(encodings switch { "dictionary" => OurEncoding.RleDictionary, "delta" => OurEncoding.DeltaBinaryPacked, _ => OurEncoding.Plain }, i64.Encodings);
        if (encodings == "delta")
        {
            Assert.Contains(OurEncoding.DeltaByteArray, chunks[7].MetaData!.Encodings);
            Assert.Contains(OurEncoding.ByteStreamSplit, chunks[4].MetaData!.Encodings);
        }
        var pages = chunks.SelectMany(c => ChunkPages.Of(bytes, c.MetaData!)).ToList();
        Assert.Contains(pages, p => p.Header.Type == (pageVersion == 2 ? OurPageType.DataPageV2 : OurPageType.DataPage));
        Assert.All(pages, p => Assert.Equal(checksums, p.Header.Crc is not null));
        if (codec == TheirCodec.Lz4)
        {
            Assert.Equal(OurCodec.Lz4Raw, i64.Codec);
        }

        if (checksums)
        {
            // A flipped byte in a data page is caught by its CRC.
            var page = ChunkPages.Of(bytes, i64).Last();
            bytes[page.BodyOffset + page.Header.CompressedPageSize - 1] ^= 0x04;
            var damaged = await ParquetReader.OpenAsync(bytes);
            var e = await Assert.ThrowsAsync<ParquetFormatException>(() => damaged.ReadAllAsync());
            Assert.Contains($"column 'i64': {page.Header.Type} page at file offset {page.Offset} fails its CRC check", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A file of ParquetSharp's with nulls, extremes, NaN and multi-byte strings, and its canonical values.</summary>
    private (string Path, JsonObject Expected) WriteWithParquetSharp(TheirCodec codec, string encodings, int pageVersion, bool checksums, int rows, int seed)
    {
        var random = new Random(seed);
        bool Null() => random.Next(5) == 0;
        string[] words = ["", "a", "zażółć gęślą jaźń", "日本語", "😀", new string('x', 100)];
        var time = new DateTimeNanos[rows];
        var host = new string?[rows];
        var i64 = new long?[rows];
        var u64 = new ulong?[rows];
        var f64 = new double?[rows];
        var i32 = new int?[rows];
        var flag = new bool?[rows];
        var note = new string?[rows];
        var t = 1_700_000_000_123_456_789L;
        for (var i = 0; i < rows; i++)
        {
            time[i] = new DateTimeNanos(t += random.Next(1, 1_000_000_000));
            host[i] = Null() ? null : $"host_{random.Next(40)}";
            i64[i] = Null() ? null : random.Next(4) switch { 0 => long.MinValue + random.Next(5), 1 => long.MaxValue - random.Next(5), _ => random.NextInt64(-1_000_000, 1_000_000) };
            u64[i] = Null() ? null : random.Next(3) == 0 ? ulong.MaxValue - (ulong)random.Next(100) : (ulong)random.NextInt64();
            f64[i] = Null() ? null : random.Next(10) switch { 0 => double.NaN, 1 => -0.0, 2 => double.PositiveInfinity, _ => (random.NextDouble() - 0.5) * 1e6 };
            i32[i] = Null() ? null : random.Next(int.MinValue, int.MaxValue);
            flag[i] = Null() ? null : random.Next(2) == 0;
            note[i] = Null() ? null : words[random.Next(words.Length)] + random.Next(1000);
        }

        using var builder = new WriterPropertiesBuilder();
        builder.Compression(codec)
            .DataPageVersion(pageVersion == 2 ? ParquetDataPageVersion.V2 : ParquetDataPageVersion.V1)
            .DataPagesize(4096)
            .MaxRowGroupLength(2000);
        if (checksums)
        {
            builder.EnablePageChecksum();
        }
        if (encodings != "dictionary")
        {
            builder.DisableDictionary();
        }
        if (encodings == "delta")
        {
            foreach (var column in new[] { "time", "i64", "u64", "i32" })
            {
                builder.Encoding(column, Encoding.DeltaBinaryPacked);
            }
            builder.Encoding("host", Encoding.DeltaLengthByteArray);
            builder.Encoding("note", Encoding.DeltaByteArray);
            builder.Encoding("f64", Encoding.ByteStreamSplit);
        }
        using var properties = builder.Build();
        var columns = new Column[]
        {
            new Column<DateTimeNanos>("time", LogicalType.Timestamp(isAdjustedToUtc: false, ParquetSharp.TimeUnit.Nanos)),
            new Column<string>("host"),
            new Column<long?>("i64"),
            new Column<ulong?>("u64"),
            new Column<double?>("f64"),
            new Column<int?>("i32"),
            new Column<bool?>("flag"),
            new Column<string>("note"),
        };
        var path = Path.Combine(_dir, $"theirs-{codec}-{encodings}-{pageVersion}-{checksums}.parquet");
        using (var writer = new ParquetFileWriter(path, columns, properties))
        {
            for (var start = 0; start < rows; start += 2000)
            {
                var count = Math.Min(2000, rows - start);
                using var rowGroup = writer.AppendRowGroup();
                Write(rowGroup, time, start, count);
                Write(rowGroup, host, start, count);
                Write(rowGroup, i64, start, count);
                Write(rowGroup, u64, start, count);
                Write(rowGroup, f64, start, count);
                Write(rowGroup, i32, start, count);
                Write(rowGroup, flag, start, count);
                Write(rowGroup, note, start, count);
            }
            writer.Close();
        }
        var expected = new JsonObject
        {
            ["time"] = ParquetSharpFiles.Canonical(time),
            ["host"] = ParquetSharpFiles.Canonical(host),
            ["i64"] = ParquetSharpFiles.Canonical(i64),
            ["u64"] = ParquetSharpFiles.Canonical(u64),
            ["f64"] = ParquetSharpFiles.Canonical(f64),
            ["i32"] = ParquetSharpFiles.Canonical(i32),
            ["flag"] = ParquetSharpFiles.Canonical(flag),
            ["note"] = ParquetSharpFiles.Canonical(note),
        };
        return (path, expected);
    }

    private static void Write<T>(RowGroupWriter rowGroup, T[] values, int start, int count)
    {
        using var column = rowGroup.NextColumn().LogicalWriter<T>();
        column.WriteBatch(values, start, count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ParquetSharp_reads_our_dictionary_fallback_chunks(int pageVersion)
    {
        var batch = DictionaryFallbackTests.Batch(1000, 2000);
        var path = Path.Combine(_dir, "fallback.parquet");
        File.WriteAllBytes(path, ParquetWriter.ToBytes(DictionaryFallbackTests.Schema, [batch], DictionaryFallbackTests.Options(pageVersion)));
        Assert.Equal(ParquetCanonicalJson.Columns(DictionaryFallbackTests.Schema, [batch]).ToJsonString(), ParquetSharpFiles.Read(path).ToJsonString());
        using var file = new ParquetFileReader(path);
        using var rowGroup = file.RowGroup(0);
        using var chunk = rowGroup.MetaData.GetColumnChunkMetaData(0);
        var encodings = chunk.Encodings;
        Assert.Contains(Encoding.RleDictionary, encodings);
        Assert.Contains(Encoding.Plain, encodings);
    }

    [Fact]
    public void ParquetSharp_reads_our_cut_UTF_8_statistics()
    {
        // Strings of 66–85 bytes whose 64th and 65th bytes are one character.
        var schema = new Tsdb.Arrow.Types.Schema([new Tsdb.Arrow.Types.Field("s", Tsdb.Arrow.Types.ArrowType.Utf8)]);
        using var strings = new Tsdb.Arrow.Builders.VariableWidthArrayBuilder(Tsdb.Arrow.Types.ArrowType.Utf8);
        for (var i = 0; i < 50; i++)
        {
            strings.Append(System.Text.Encoding.UTF8.GetBytes(new string('k', 63) + new string('é', 1 + (i % 9)) + i));
        }
        var batch = new Tsdb.Arrow.Arrays.RecordBatch(schema, [strings.Build()], 50);
        var path = Path.Combine(_dir, "utf8.parquet");
        File.WriteAllBytes(path, ParquetWriter.ToBytes(schema, [batch]));
        Assert.Equal(ParquetCanonicalJson.Columns(schema, [batch]).ToJsonString(), ParquetSharpFiles.Read(path).ToJsonString());

        // Every native object is held (and disposed) here: a temporary's finalizer would free memory still in use.
        using var file = new ParquetFileReader(path);
        using var rowGroup = file.RowGroup(0);
        using var chunk = rowGroup.MetaData.GetColumnChunkMetaData(0);
        using var statistics = (Statistics<ByteArray>)chunk.Statistics!;
        Assert.True(statistics.HasMinMax);
        var min = Bytes(statistics.Min);
        var max = Bytes(statistics.Max);
        Assert.Equal(new string('k', 63), System.Text.Encoding.UTF8.GetString(min));
        Assert.Equal(new string('k', 62) + "l", System.Text.Encoding.UTF8.GetString(max));
        Assert.True(System.Text.Unicode.Utf8.IsValid(min) && System.Text.Unicode.Utf8.IsValid(max));
    }

    private static byte[] Bytes(ByteArray value)
    {
        var bytes = new byte[value.Length];
        System.Runtime.InteropServices.Marshal.Copy(value.Pointer, bytes, 0, value.Length);
        return bytes;
    }
}
