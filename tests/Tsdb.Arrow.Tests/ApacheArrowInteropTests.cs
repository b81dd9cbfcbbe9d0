using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Testing;

namespace Tsdb.Arrow.Tests;

/// <summary>
/// Our IPC against the independent implementation in the npm package apache-arrow: what we write it reads with
/// identical values (timestamps from the raw buffers), and what it writes we read identically.
/// </summary>
public sealed class ApacheArrowInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-arrow-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Apache_arrow_reads_what_we_write()
    {
        var cases = new List<(string Path, string Expected)>();
        void Add(string name, Schema schema, IReadOnlyList<RecordBatch> batches, Func<Schema, IReadOnlyList<RecordBatch>, byte[]> write)
        {
            var path = Path.Combine(_dir, name);
            File.WriteAllBytes(path, write(schema, batches));
            cases.Add((path, ArrowCanonicalJson.Serialize(schema, batches)));
        }

        for (var seed = 1; seed <= 12; seed++)
        {
            var random = new RandomBatches(seed * 31);
            var schema = random.NextSchema();
            var batches = Enumerable.Range(0, random.Rng.Next(1, 4)).Select(_ => random.NextBatch(schema, random.Rng.Next(0, 200))).ToList();
            var compression = seed % 2 == 0 ? IpcCompression.Zstd : IpcCompression.None;
            Add($"random-{seed}.arrows", schema, batches, (s, b) => ArrowStreamWriter.ToBytes(s, b, new IpcWriteOptions { Compression = compression }));
            Add($"random-{seed}.arrow", schema, batches.Take(1).ToList(), (s, b) => ArrowFileWriter.ToBytes(s, b, new IpcWriteOptions { Compression = compression }));
        }

        var cpu = CpuBatch(1000, 0);
        Add("cpu.arrows", cpu.Schema, [cpu], (s, b) => ArrowStreamWriter.ToBytes(s, b));
        Add("cpu-sliced.arrows", cpu.Schema, [cpu.Slice(3, 500), cpu.Slice(503, 0), cpu.Slice(777, 223)], (s, b) => ArrowStreamWriter.ToBytes(s, b));

        // Dictionary growth (deltas) and replacement in one stream, and deltas in a file.
        var tagSchema = new Schema([new Field("host", ArrowType.DictionaryUtf8), new Field("v", ArrowType.Float64)]);
        var grow = new[]
        {
            TagBatch(tagSchema, ["a", "b"], ["a", "b", null]),
            TagBatch(tagSchema, ["a", "b", "c", "ü"], ["ü", "c", "a"]),
            TagBatch(tagSchema, ["z"], ["z"]),
        };
        Add("dictionaries.arrows", tagSchema, grow, (s, b) => ArrowStreamWriter.ToBytes(s, b));
        Add("dictionary-deltas.arrow", tagSchema, grow.Take(2).ToList(), (s, b) => ArrowFileWriter.ToBytes(s, b));

        var output = NodeRunner.Run("arrow/dump.mjs", [.. cases.Select(c => c.Path)]).EnsureSuccess("apache-arrow dump");
        var lines = output.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Count, lines.Length);
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.True(
                ArrowCanonicalJson.Normalize(cases[i].Expected) == ArrowCanonicalJson.Normalize(lines[i]),
                $"{Path.GetFileName(cases[i].Path)}:\nours:  {Truncate(cases[i].Expected)}\ntheirs: {Truncate(lines[i])}");
        }
    }

    [Fact]
    public void We_read_what_apache_arrow_writes()
    {
        NodeRunner.Run("arrow/write.mjs", _dir).EnsureSuccess("apache-arrow writer");
        var files = Directory.GetFiles(_dir).Where(f => !f.EndsWith(".json", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(5, files.Count);
        foreach (var path in files)
        {
            var bytes = File.ReadAllBytes(path);
            Schema schema;
            List<RecordBatch> batches;
            if (path.EndsWith(".arrow", StringComparison.Ordinal))
            {
                var reader = new ArrowFileReader(bytes);
                (schema, batches) = (reader.Schema, reader.ReadAll().ToList());
            }
            else
            {
                using var reader = new ArrowStreamReader(new MemoryStream(bytes));
                (schema, batches) = (reader.Schema, reader.ReadAll().ToList());
            }
            var ours = ArrowCanonicalJson.Serialize(schema, batches);
            var theirs = File.ReadAllText(path + ".json");
            Assert.True(ArrowCanonicalJson.Normalize(theirs) == ArrowCanonicalJson.Normalize(ours),
                $"{Path.GetFileName(path)}:\ntheirs: {Truncate(theirs)}\nours:   {Truncate(ours)}");
        }
    }

    private static string Truncate(string s) => s.Length > 3000 ? s[..3000] + "…" : s;

    /// <summary>A batch shaped like the TSBS cpu table: time, 10 dictionary tags, 10 float fields.</summary>
    internal static RecordBatch CpuBatch(int rows, int seed)
    {
        var random = new Random(seed);
        var fields = new List<Field> { new("time", ArrowType.TimestampNanosecond, nullable: false, [new("iox::column::type", "iox::column_type::timestamp")]) };
        string[] tags = ["hostname", "region", "datacenter", "rack", "os", "arch", "team", "service", "service_version", "service_environment"];
        string[] values = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"];
        fields.AddRange(tags.Select(t => new Field(t, ArrowType.DictionaryUtf8, true, [new("iox::column::type", "iox::column_type::tag")])));
        fields.AddRange(values.Select(v => new Field(v, ArrowType.Float64, true, [new("iox::column::type", "iox::column_type::field::float")])));
        var schema = new Schema(fields);
        var columns = new List<ArrowArray>();
        using (var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond))
        {
            for (var i = 0; i < rows; i++)
            {
                time.Append(1_451_606_400_000_000_000 + (i * 10_000_000_000L) + 123);
            }
            columns.Add(time.Build());
        }
        foreach (var tag in tags)
        {
            using var b = new DictionaryArrayBuilder();
            for (var i = 0; i < rows; i++)
            {
                b.Append($"{tag}_{random.Next(100)}");
            }
            columns.Add(b.Build());
        }
        foreach (var _ in values)
        {
            using var b = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
            for (var i = 0; i < rows; i++)
            {
                b.Append(random.NextDouble() * 100);
            }
            columns.Add(b.Build());
        }
        return new RecordBatch(schema, columns, rows);
    }

    private static RecordBatch TagBatch(Schema schema, string[] dictionary, string?[] values)
    {
        var tag = IpcRoundTripTests.Batch(new Schema([schema[0]]), dictionary, values).Column(0);
        using var v = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        for (var i = 0; i < values.Length; i++)
        {
            v.Append(i * 1.5);
        }
        return new RecordBatch(schema, [tag, v.Build()], values.Length);
    }
}
