using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;

namespace Tsdb.ObjectStore.Tests;

/// <summary>
/// The producer <see cref="ObjectWriteStream"/> was made for: <see cref="ParquetWriter"/> writing synchronously,
/// row group by row group, straight into a streamed object, as a compaction writes its output.
/// </summary>
public sealed class ParquetWriterIntoObjectStoreTests : IDisposable
{
    private static readonly Schema Schema = new([new Field("time", ArrowType.TimestampNanosecond), new Field("value", ArrowType.Float64), new Field("host", ArrowType.DictionaryUtf8)]);

    private static readonly ParquetWriterOptions Options = ParquetWriterOptions.Default with { RowGroupSize = 20_000, PageRowLimit = 4096 };

    private readonly string _root = Path.Join(Path.GetTempPath(), $"tsdb-objectstore-parquet-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    public static TheoryData<string> Stores => ["memory", "local", "local-slow"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_Parquet_file_written_through_a_stream_is_byte_for_byte_the_file_written_to_memory(string kind)
    {
        var batches = Enumerable.Range(0, 5).Select(i => Batch(30_000, seed: i)).ToList();
        var expected = ParquetWriter.ToBytes(Schema, batches, Options);
        var store = Store(kind);

        await using (var output = await ObjectWriteStream.OpenAsync(store, "dbs/db/cpu/2024-01-01/compacted.parquet", partSize: 64 * 1024))
        {
            await Task.Run(() =>
            {
                using var parquet = new ParquetWriter(output, Schema, Options, leaveOpen: true);
                foreach (var batch in batches)
                {
                    parquet.WriteBatch(batch);
                }
                parquet.Finish();
            });
            Assert.Null(await store.HeadAsync("dbs/db/cpu/2024-01-01/compacted.parquet"));
            await output.CompleteAsync();
        }

        var written = await store.GetAsync("dbs/db/cpu/2024-01-01/compacted.parquet");
        Assert.True(expected.Length > 4 * 64 * 1024, $"only {expected.Length} bytes: too few parts to test anything");
        Assert.Equal(expected, written);
        var reader = await ParquetReader.OpenAsync(written);
        Assert.Equal(150_000, reader.RowCount);
        Assert.Equal(8, reader.Metadata.RowGroups.Count);
    }

    [Fact]
    public async Task A_compaction_that_fails_half_way_leaves_no_file()
    {
        var store = Store("local");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var output = await ObjectWriteStream.OpenAsync(store, "dbs/db/cpu/2024-01-01/failed.parquet", partSize: 64 * 1024);
            await Task.Run(() =>
            {
                using var parquet = new ParquetWriter(output, Schema, Options, leaveOpen: true);
                parquet.WriteBatch(Batch(50_000, seed: 9));
                parquet.FlushRowGroup();
                Assert.True(output.Writer.BytesWritten > 0, "parts were sent before the failure");
                throw new InvalidOperationException("the merge failed");
            });
            await output.CompleteAsync();
        });
        Assert.Equal("the merge failed", e.Message);
        Assert.Empty(await ListAsync(store));
        Assert.Empty(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
    }

    private IObjectStore Store(string kind) => kind switch
    {
        "memory" => new InMemoryObjectStore(),
        "local" => new LocalFileObjectStore(_root),
        // Parts that finish later than they return: the stream's second buffer and its waits at part boundaries.
        _ => new DelayingStore(new LocalFileObjectStore(_root)),
    };

    private static RecordBatch Batch(int rows, int seed)
    {
        var random = new Random(seed);
        using var time = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        using var value = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var host = new DictionaryArrayBuilder();
        for (var i = 0; i < rows; i++)
        {
            time.Append(1_700_000_000_000_000_000L + ((long)seed * rows) + i);
            value.Append(random.NextDouble());
            host.Append($"host-{random.Next(50)}");
        }
        return new RecordBatch(Schema, [time.Build(), value.Build(), host.Build()], rows);
    }

    private static async Task<List<string>> ListAsync(IObjectStore store)
    {
        var keys = new List<string>();
        await foreach (var meta in store.ListAsync(""))
        {
            keys.Add(meta.Key);
        }
        return keys;
    }

    /// <summary>Every part lands after a short pause on another thread, as a network upload would.</summary>
    private sealed class DelayingStore(IObjectStore inner) : IObjectStore
    {
        public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default) => inner.PutAsync(key, data, ct);

        public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default) => inner.PutIfAbsentAsync(key, data, ct);

        public Task<byte[]> GetAsync(string key, CancellationToken ct = default) => inner.GetAsync(key, ct);

        public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default) => inner.GetRangeAsync(key, offset, length, ct);

        public Task<ObjectMeta?> HeadAsync(string key, CancellationToken ct = default) => inner.HeadAsync(key, ct);

        public IAsyncEnumerable<ObjectMeta> ListAsync(string prefix, CancellationToken ct = default) => inner.ListAsync(prefix, ct);

        public Task DeleteAsync(string key, CancellationToken ct = default) => inner.DeleteAsync(key, ct);

        public async Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default) =>
            new Writer(await inner.OpenWriteAsync(key, ct));

        private sealed class Writer(IObjectWriter writer) : IObjectWriter
        {
            public string Key => writer.Key;

            public int MinimumPartSize => writer.MinimumPartSize;

            public long BytesWritten => writer.BytesWritten;

            public async Task WritePartAsync(ReadOnlyMemory<byte> part, CancellationToken ct = default)
            {
                await Task.Delay(1, ct);
                await writer.WritePartAsync(part, ct);
            }

            public Task CompleteAsync(ReadOnlyMemory<byte> lastPart = default, CancellationToken ct = default) => writer.CompleteAsync(lastPart, ct);

            public Task AbortAsync(CancellationToken ct = default) => writer.AbortAsync(ct);

            public ValueTask DisposeAsync() => writer.DisposeAsync();
        }
    }
}
