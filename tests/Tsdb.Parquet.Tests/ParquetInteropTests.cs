using System.Text.Json.Nodes;
using Tsdb.Arrow.Arrays;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;
using Tsdb.Testing;

namespace Tsdb.Parquet.Tests;

/// <summary>
/// Our Parquet against three independent implementations: DuckDB (@duckdb/node-api), parquet-wasm (Rust parquet)
/// and hyparquet (pure JS). Our files, every codec and page version, read by all three with identical values; their
/// files read by ours.
/// </summary>
public sealed class ParquetInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-parquet-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<string> ReadWith(string engine, IEnumerable<string> files)
    {
        var result = NodeRunner.Run("parquet/read.mjs", [engine, .. files]).EnsureSuccess($"{engine} reading Parquet");
        return [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    [Fact]
    public void Our_files_are_read_identically_by_DuckDB_parquet_wasm_and_hyparquet()
    {
        var cases = new List<(string Path, string Expected)>();
        var variants = new (string Name, ParquetWriterOptions Options)[]
        {
            ("zstd-v1", new() { Compression = CompressionCodec.Zstd }),
            ("zstd-v2", new() { Compression = CompressionCodec.Zstd, DataPageVersion = 2 }),
            ("snappy-v1", new() { Compression = CompressionCodec.Snappy }),
            ("snappy-v2", new() { Compression = CompressionCodec.Snappy, DataPageVersion = 2 }),
            ("gzip-v1", new() { Compression = CompressionCodec.Gzip }),
            ("none-v2", new() { Compression = CompressionCodec.Uncompressed, DataPageVersion = 2 }),
            ("plain", new() { DictionaryEnabled = false, DeltaForIntegers = false, ByteStreamSplitForFloats = false }),
            ("small-pages", new() { RowGroupSize = 1000, PageRowLimit = 97, DataPageVersion = 2, Compression = CompressionCodec.Snappy }),
        };
        var seed = 10;
        foreach (var (name, options) in variants)
        {
            var data = new TestData(seed++);
            var batches = new[] { data.Batch(TestData.WideSchema, 2500, 1_700_000_000_123_456_789), data.Batch(TestData.WideSchema, 1200, 1_800_000_000_987_654_321) };
            var path = Path.Combine(_dir, $"ours-{name}.parquet");
            File.WriteAllBytes(path, ParquetWriter.ToBytes(TestData.WideSchema, batches, options with { RowGroupSize = Math.Min(options.RowGroupSize, 3000) }));
            cases.Add((path, ParquetCanonicalJson.Columns(TestData.WideSchema, batches).ToJsonString()));
        }
        foreach (var engine in new[] { "duckdb", "wasm", "hyparquet" })
        {
            var lines = ReadWith(engine, cases.Select(c => c.Path));
            Assert.Equal(cases.Count, lines.Count);
            for (var i = 0; i < cases.Count; i++)
            {
                var theirs = ParquetCanonicalJson.ColumnsOf(lines[i]).ToJsonString();
                Assert.True(cases[i].Expected == theirs, $"{engine} reading {Path.GetFileName(cases[i].Path)}:\nours:   {Cut(cases[i].Expected)}\ntheirs: {Cut(theirs)}");
            }
        }
    }

    [Fact]
    public async Task DuckDB_sees_our_types_and_statistics()
    {
        var data = new TestData(77);
        var batch = data.Batch(TestData.WideSchema, 3000, 1_700_000_000_123_456_789);
        var path = Path.Combine(_dir, "stats.parquet");
        File.WriteAllBytes(path, ParquetWriter.ToBytes(TestData.WideSchema, [batch]));
        var report = JsonNode.Parse(ReadWith("duckdb", [path])[0])!;
        // time is TIMESTAMP(NANOS, isAdjustedToUTC=false): DuckDB reads it as TIMESTAMP_NS, every digit kept.
        Assert.Equal("TIMESTAMP_NS", report["types"]!["time"]!.GetValue<string>());
        Assert.Equal("TIMESTAMP WITH TIME ZONE", report["types"]!["ts_us"]!.GetValue<string>());
        Assert.Equal("UBIGINT", report["types"]!["u64"]!.GetValue<string>());
        var metadata = report["metadata"]!.AsArray();
        var time = metadata.Single(m => m!["path_in_schema"]!.GetValue<string>() == "time")!;
        var times = ((TimestampArray)batch.Column(0)).Values;
        Assert.Equal(DuckTimestamp(times[0]), time["stats_min_value"]!.GetValue<string>());
        Assert.Equal(DuckTimestamp(times[^1]), time["stats_max_value"]!.GetValue<string>());
        Assert.Equal("0", time["stats_null_count"]!.ToString());
        Assert.Equal("ZSTD", time["compression"]!.GetValue<string>());
        var i64 = metadata.Single(m => m!["path_in_schema"]!.GetValue<string>() == "i64")!;
        var values = (Int64Array)batch.Column("i64")!;
        var present = Enumerable.Range(0, values.Length).Where(i => !values.IsNull(i)).Select(i => values.Values[i]).ToList();
        if (present.Count > 0)
        {
            Assert.Equal(present.Min().ToString(System.Globalization.CultureInfo.InvariantCulture), i64["stats_min_value"]!.ToString());
            Assert.Equal(present.Max().ToString(System.Globalization.CultureInfo.InvariantCulture), i64["stats_max_value"]!.ToString());
        }
        Assert.Equal(values.NullCount.ToString(System.Globalization.CultureInfo.InvariantCulture), i64["stats_null_count"]!.ToString());
        await Task.CompletedTask;
    }

    private static string DuckTimestamp(long nanoseconds)
    {
        var time = DateTime.UnixEpoch.AddTicks(nanoseconds / 100);
        return $"{time:yyyy-MM-dd HH:mm:ss}.{nanoseconds % 1_000_000_000:D9}";
    }

    [Fact]
    public async Task We_read_files_written_by_DuckDB_and_parquet_wasm()
    {
        NodeRunner.Run("parquet/write.mjs", "duckdb", _dir).EnsureSuccess("DuckDB writer");
        NodeRunner.Run("parquet/write.mjs", "wasm", _dir).EnsureSuccess("parquet-wasm writer");
        var duckFiles = Directory.GetFiles(_dir, "duckdb-*.parquet").Order().ToList();
        var wasmFiles = Directory.GetFiles(_dir, "wasm-*.parquet").Order().ToList();
        Assert.Equal(6, duckFiles.Count);
        Assert.Equal(6, wasmFiles.Count);
        // DuckDB's own reading of its files is the expected value; parquet-wasm's files come with theirs.
        var duckExpected = ReadWith("duckdb", duckFiles);
        var expected = duckFiles.Zip(duckExpected).Concat(wasmFiles.Select(f => (f, File.ReadAllText(f + ".json")))).ToList();
        foreach (var (path, json) in expected)
        {
            var reader = await ParquetReader.OpenAsync(new FileRandomAccessSource(path));
            var batches = await reader.ReadAllAsync();
            var ours = ParquetCanonicalJson.Columns(reader.Schema, batches).ToJsonString();
            var theirs = ParquetCanonicalJson.ColumnsOf(json).ToJsonString();
            Assert.True(theirs == ours, $"{Path.GetFileName(path)}:\ntheirs: {Cut(theirs)}\nours:   {Cut(ours)}");
        }
    }

    private static string Cut(string s) => s.Length > 2000 ? s[..2000] + "…" : s;
}
