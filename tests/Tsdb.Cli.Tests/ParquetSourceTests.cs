using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Cli.Client;
using Tsdb.Cli.Writing;
using Tsdb.Parquet.Writing;

namespace Tsdb.Cli.Tests;

public sealed class ParquetSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-cli-parquet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A file like the ones the server persists: host and time, a float and an integer with a null.</summary>
    private string File(string name, IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        var schema = new Schema([new Field("host", ArrowType.Utf8), new Field("time", ArrowType.TimestampNanosecond, nullable: false), new Field("usage", ArrowType.Float64), new Field("n", ArrowType.Int64)]);
        using var host = new VariableWidthArrayBuilder(ArrowType.Utf8);
        using var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        using var usage = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var n = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        host.Append("a b"u8);
        host.Append("c"u8);
        time.Append(1_700_000_000_000_000_000);
        time.Append(1_700_000_001_000_000_000);
        usage.Append(0.5);
        usage.Append((double?)null);
        n.Append(1);
        n.Append(2);
        using var batch = new RecordBatch(schema, [host.Build(), time.Build(), usage.Build(), n.Build()], 2);
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(path, ParquetWriter.ToBytes(schema, [batch], new ParquetWriterOptions { KeyValueMetadata = metadata }));
        return path;
    }

    private static async Task<List<SourceRecord>> Read(string path, WriteSourceOptions options)
    {
        var records = new List<SourceRecord>();
        await foreach (var r in WriteSource.Open(path, null, options).ReadAsync(default))
        {
            records.Add(r);
        }
        return records;
    }

    [Fact]
    public async Task A_file_the_server_persisted_keeps_its_tags_from_the_sort_key()
    {
        var path = File("cpu.parquet", [new("tsdb:sort_key", "host,time")]);
        var lines = await Read(path, new WriteSourceOptions(null, null, 1));
        Assert.Equal(["cpu,host=a\\ b usage=0.5,n=1i 1700000000000000000", "cpu,host=c n=2i 1700000001000000000"], lines.Select(l => l.Line));
        Assert.Equal([1L, 2L], lines.Select(l => l.Number));
    }

    [Fact]
    public async Task Without_metadata_strings_are_fields_unless_named_in_tags_and_the_precision_applies()
    {
        var path = File("plain.parquet", []);
        Assert.Equal("plain host=\"a b\",usage=0.5,n=1i 1700000000000000000", (await Read(path, new WriteSourceOptions(null, null, 1)))[0].Line);
        Assert.Equal("m,host=a\\ b usage=0.5,n=1i 1700000000", (await Read(path, new WriteSourceOptions("m", new HashSet<string> { "host" }, 1_000_000_000)))[0].Line);
        var e = await Assert.ThrowsAsync<CliException>(() => Read(path, new WriteSourceOptions("m", new HashSet<string> { "nope" }, 1)));
        Assert.Equal($"{path}: --tags names 'nope', which is not a column of the file", e.Message);
    }

    [Fact]
    public void Not_a_parquet_file_is_a_clear_error()
    {
        var path = Path.Combine(_dir, "bad.parquet");
        System.IO.File.WriteAllText(path, "this is not parquet at all");
        var e = Assert.Throws<CliException>(() => WriteSource.Open(path, null, new WriteSourceOptions(null, null, 1)));
        Assert.Equal($"{path}: not a Parquet file: no PAR1 at the end", e.Message);
    }
}
