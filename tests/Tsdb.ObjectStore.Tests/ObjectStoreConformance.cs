using System.Text;

namespace Tsdb.ObjectStore.Tests;

/// <summary>
/// The behaviour every <see cref="IObjectStore"/> must have. Subclassed once per implementation; each test gets
/// a fresh, empty store from <see cref="CreateStore"/>.
/// </summary>
public abstract partial class ObjectStoreConformance : IDisposable
{
    private readonly Lazy<IObjectStore> _store;

    protected ObjectStoreConformance()
    {
        // Thread-safe: racing tests touch the store first from many threads, and must all get the same one.
        _store = new Lazy<IObjectStore>(CreateStore, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    protected IObjectStore Store => _store.Value;

    /// <summary>A new store that holds nothing yet.</summary>
    protected abstract IObjectStore CreateStore();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _store.IsValueCreated && _store.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes()
    {
        var data = Bytes("hello, object store");
        await Store.PutAsync("dbs/db/cpu/2024-01-01/00000000000000000042.parquet", data);
        Assert.Equal(data, await Store.GetAsync("dbs/db/cpu/2024-01-01/00000000000000000042.parquet"));
    }

    [Fact]
    public async Task Put_overwrites_an_existing_object()
    {
        await Store.PutAsync("a/b", Bytes("first version, longer"));
        await Store.PutAsync("a/b", Bytes("second"));
        Assert.Equal(Bytes("second"), await Store.GetAsync("a/b"));
        Assert.Equal(6, (await Store.HeadAsync("a/b"))!.Size);
    }

    [Fact]
    public async Task Put_copies_the_callers_bytes()
    {
        var data = Bytes("abc");
        await Store.PutAsync("k", data);
        data[0] = (byte)'X';
        var read = await Store.GetAsync("k");
        Assert.Equal(Bytes("abc"), read);
        read[1] = (byte)'Y';
        Assert.Equal(Bytes("abc"), await Store.GetAsync("k"));
    }

    [Fact]
    public async Task Put_accepts_a_slice_of_a_larger_buffer()
    {
        var buffer = Bytes("xxhelloyy");
        await Store.PutAsync("slice", buffer.AsMemory(2, 5));
        Assert.Equal(Bytes("hello"), await Store.GetAsync("slice"));
    }

    [Fact]
    public async Task Get_of_a_missing_key_throws_ObjectNotFound_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetAsync("no/such/key"));
        Assert.Equal("no/such/key", e.Key);
        Assert.Contains("no/such/key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutIfAbsent_creates_once_and_then_refuses_leaving_the_first_bytes()
    {
        Assert.True(await Store.PutIfAbsentAsync("catalog/00000001.json", Bytes("first")));
        Assert.False(await Store.PutIfAbsentAsync("catalog/00000001.json", Bytes("second")));
        Assert.Equal(Bytes("first"), await Store.GetAsync("catalog/00000001.json"));
    }

    [Fact]
    public async Task PutIfAbsent_refuses_a_key_written_by_put()
    {
        await Store.PutAsync("x/y", Bytes("put"));
        Assert.False(await Store.PutIfAbsentAsync("x/y", Bytes("ifabsent")));
        Assert.Equal(Bytes("put"), await Store.GetAsync("x/y"));
    }

    [Fact]
    public async Task PutIfAbsent_succeeds_again_after_delete()
    {
        Assert.True(await Store.PutIfAbsentAsync("again", Bytes("1")));
        await Store.DeleteAsync("again");
        Assert.True(await Store.PutIfAbsentAsync("again", Bytes("2")));
        Assert.Equal(Bytes("2"), await Store.GetAsync("again"));
    }

    [Fact]
    public async Task PutIfAbsent_with_16_racing_writers_has_exactly_one_winner_whose_bytes_are_stored()
    {
        const int writers = 16;
        const string key = "catalog/log/00000000000000000007.json";
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = new Task<bool>[writers];
        for (var i = 0; i < writers; i++)
        {
            var payload = Bytes($"writer {i:D2} " + new string('x', 1000 + i));
            attempts[i] = Task.Run(async () =>
            {
                await start.Task;
                return await Store.PutIfAbsentAsync(key, payload);
            });
        }
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        var winners = Enumerable.Range(0, writers).Where(i => results[i]).ToArray();
        Assert.Single(winners);
        Assert.Equal(Bytes($"writer {winners[0]:D2} " + new string('x', 1000 + winners[0])), await Store.GetAsync(key));
    }

    [Fact]
    public async Task GetRange_returns_exact_ranges_including_the_first_and_last_byte()
    {
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Store.PutAsync("r", data);

        Assert.Equal(data[..1], await Store.GetRangeAsync("r", 0, 1));
        Assert.Equal(data[100..150], await Store.GetRangeAsync("r", 100, 50));
        Assert.Equal(data[255..], await Store.GetRangeAsync("r", 255, 1));
        Assert.Equal(data[200..], await Store.GetRangeAsync("r", 200, 56));
        Assert.Equal(data, await Store.GetRangeAsync("r", 0, 256));
        Assert.Empty(await Store.GetRangeAsync("r", 256, 0));
        Assert.Empty(await Store.GetRangeAsync("r", 17, 0));
    }

    [Theory]
    [InlineData(250, 7)]   // runs past the end
    [InlineData(256, 1)]   // starts at the end
    [InlineData(300, 1)]   // starts past the end
    [InlineData(257, 0)]   // empty, but past the end
    [InlineData(0, 257)]   // longer than the object
    public async Task GetRange_outside_the_object_is_an_error(long offset, int length)
    {
        await Store.PutAsync("r", new byte[256]);
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetRangeAsync("r", offset, length));
        Assert.Contains($"range [{offset}, {offset + length}) is outside object 'r' of 256 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRange_with_a_negative_offset_or_length_is_an_error()
    {
        await Store.PutAsync("r", new byte[10]);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetRangeAsync("r", -1, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetRangeAsync("r", 0, -1));
    }

    [Fact]
    public async Task GetRange_of_a_missing_key_throws_ObjectNotFound()
    {
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetRangeAsync("missing", 0, 1));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetRangeAsync("missing", 0, 0));
    }

    [Fact]
    public async Task GetRanges_fills_each_destination_with_its_range_in_any_order()
    {
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Store.PutAsync("r", data);
        var (a, b, c, empty) = (new byte[10], new byte[1], new byte[56], Array.Empty<byte>());

        await Store.GetRangesAsync("r", [new ObjectRange(200, c), new ObjectRange(0, a), new ObjectRange(255, b), new ObjectRange(17, empty)]);

        Assert.Equal(data[..10], a);
        Assert.Equal(data[255..], b);
        Assert.Equal(data[200..], c);
        await Store.GetRangesAsync("r", []);
    }

    [Fact]
    public async Task GetRanges_refuses_a_range_outside_the_object_and_a_missing_key()
    {
        await Store.PutAsync("r", new byte[256]);
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetRangesAsync("r", [new ObjectRange(0, new byte[4]), new ObjectRange(250, new byte[7])]));
        Assert.Contains("range [250, 257) is outside object 'r' of 256 bytes", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetRangesAsync("r", [new ObjectRange(-1, new byte[1])]));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetRangesAsync("missing", [new ObjectRange(0, new byte[1])]));
    }

    [Fact]
    public async Task Head_reports_size_time_and_an_etag_that_changes_on_overwrite_and_null_when_missing()
    {
        Assert.Null(await Store.HeadAsync("h/missing"));
        var before = DateTimeOffset.UtcNow;
        await Store.PutAsync("h/obj", Bytes("12345"));
        var meta = await Store.HeadAsync("h/obj");
        Assert.NotNull(meta);
        Assert.Equal("h/obj", meta.Key);
        Assert.Equal(5, meta.Size);
        // Clocks of a server (or coarse file system timestamps) need some slack.
        Assert.InRange(meta.LastModified, before - TimeSpan.FromMinutes(2), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2));
        Assert.False(string.IsNullOrEmpty(meta.ETag));

        await Store.PutAsync("h/obj", Bytes("different and longer"));
        var after = await Store.HeadAsync("h/obj");
        Assert.Equal(20, after!.Size);
        Assert.NotEqual(meta.ETag, after.ETag);
    }

    [Fact]
    public async Task List_returns_nested_keys_under_a_prefix_with_their_sizes()
    {
        await Store.PutAsync("dbs/db1/cpu/2024-01-01/1.parquet", new byte[1]);
        await Store.PutAsync("dbs/db1/cpu/2024-01-02/2.parquet", new byte[22]);
        await Store.PutAsync("dbs/db1/mem/2024-01-01/3.parquet", new byte[333]);
        await Store.PutAsync("dbs/db10/cpu/2024-01-01/4.parquet", new byte[4]);
        await Store.PutAsync("dbs/db2/cpu/2024-01-01/5.parquet", new byte[5]);
        await Store.PutAsync("catalog/checkpoint", new byte[6]);

        var db1 = await ListAsync("dbs/db1/");
        Assert.Equal(
            ["dbs/db1/cpu/2024-01-01/1.parquet", "dbs/db1/cpu/2024-01-02/2.parquet", "dbs/db1/mem/2024-01-01/3.parquet"],
            db1.Select(m => m.Key));
        Assert.Equal([1L, 22L, 333L], db1.Select(m => m.Size));

        // A prefix is a string prefix, not only whole segments.
        Assert.Equal(
            ["dbs/db1/cpu/2024-01-01/1.parquet", "dbs/db1/cpu/2024-01-02/2.parquet", "dbs/db1/mem/2024-01-01/3.parquet", "dbs/db10/cpu/2024-01-01/4.parquet"],
            (await ListAsync("dbs/db1")).Select(m => m.Key));
        Assert.Equal(["dbs/db1/cpu/2024-01-02/2.parquet"], (await ListAsync("dbs/db1/cpu/2024-01-02")).Select(m => m.Key));
        Assert.Equal(["dbs/db1/cpu/2024-01-01/1.parquet"], (await ListAsync("dbs/db1/cpu/2024-01-01/1.parquet")).Select(m => m.Key));
        Assert.Equal(6, (await ListAsync("")).Count);
        Assert.Empty(await ListAsync("dbs/db3"));
        Assert.Empty(await ListAsync("nothing/here/"));
        Assert.Empty(await ListAsync("dbs/db1/cpu/2024-01-01/1.parquet/"));
    }

    [Fact]
    public async Task List_is_sorted_by_code_point_whatever_the_write_order()
    {
        string[] keys =
        [
            "p/a.b", "p/a/b", "p/a-c", "p/a0", "p/B", "p/b", "p/a b", "p/ä", "p/\uFFFD", "p/\U0001F600",
            "p/z", "p/Z/1", "p/aa", "p/a/a",
        ];
        foreach (var key in keys.Reverse())
        {
            await Store.PutAsync(key, Bytes(key));
        }
        var expected = keys.Order(ObjectKey.Comparer).ToArray();
        Assert.Equal(expected, (await ListAsync("p/")).Select(m => m.Key));
        // Code point order puts U+FFFD before U+1F600 (UTF-16 ordinal order would not).
        Assert.True(Array.IndexOf(expected, "p/\uFFFD") < Array.IndexOf(expected, "p/\U0001F600"));
    }

    [Fact]
    public async Task List_pages_through_1100_objects_in_order()
    {
        var keys = Enumerable.Range(0, 1100).Select(i => $"many/{i % 7}/{i:D5}.bin").ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (key, ct) => await Store.PutAsync(key, Bytes(key), ct));
        await Store.PutAsync("manx", Bytes("outside the prefix"));

        var listed = await ListAsync("many/");
        Assert.Equal(keys.Order(ObjectKey.Comparer), listed.Select(m => m.Key));
        Assert.All(listed, m => Assert.Equal(Encoding.UTF8.GetByteCount(m.Key), m.Size));
    }

    [Fact]
    public async Task Delete_removes_and_is_idempotent()
    {
        await Store.PutAsync("d/1", Bytes("one"));
        await Store.PutAsync("d/2", Bytes("two"));
        await Store.DeleteAsync("d/1");
        Assert.Null(await Store.HeadAsync("d/1"));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetAsync("d/1"));
        Assert.Equal(["d/2"], (await ListAsync("d/")).Select(m => m.Key));

        await Store.DeleteAsync("d/1");
        await Store.DeleteAsync("never/existed/at/all");
        Assert.Equal(Bytes("two"), await Store.GetAsync("d/2"));
    }

    [Fact]
    public async Task Empty_objects_are_objects()
    {
        await Store.PutAsync("empty/put", ReadOnlyMemory<byte>.Empty);
        Assert.True(await Store.PutIfAbsentAsync("empty/ifabsent", Array.Empty<byte>()));
        Assert.False(await Store.PutIfAbsentAsync("empty/ifabsent", Array.Empty<byte>()));

        Assert.Empty(await Store.GetAsync("empty/put"));
        Assert.Empty(await Store.GetAsync("empty/ifabsent"));
        Assert.Equal(0, (await Store.HeadAsync("empty/put"))!.Size);
        Assert.Empty(await Store.GetRangeAsync("empty/put", 0, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetRangeAsync("empty/put", 0, 1));
        var listed = await ListAsync("empty/");
        Assert.Equal(["empty/ifabsent", "empty/put"], listed.Select(m => m.Key));
        Assert.All(listed, m => Assert.Equal(0, m.Size));
    }

    [Fact]
    public async Task Five_megabyte_objects_round_trip_whole_and_in_ranges()
    {
        var data = new byte[5 * 1024 * 1024 + 17];
        new Random(42).NextBytes(data);
        await Store.PutAsync("big/5mb.parquet", data);
        Assert.True(await Store.PutIfAbsentAsync("big/5mb-ifabsent.parquet", data));

        Assert.Equal(data, await Store.GetAsync("big/5mb.parquet"));
        Assert.Equal(data, await Store.GetAsync("big/5mb-ifabsent.parquet"));
        Assert.Equal(data.AsSpan(4_000_000, 100_000).ToArray(), await Store.GetRangeAsync("big/5mb.parquet", 4_000_000, 100_000));
        Assert.Equal(data.AsSpan(data.Length - 8).ToArray(), await Store.GetRangeAsync("big/5mb.parquet", data.Length - 8, 8));
        Assert.Equal(data.Length, (await Store.HeadAsync("big/5mb.parquet"))!.Size);
    }

    [Theory]
    [InlineData("dbs/münchen/température/2024-01-01/1.parquet")]
    [InlineData("dbs/日本語/テーブル/file.parquet")]
    [InlineData("dbs/with space/and  two spaces/x y.parquet")]
    [InlineData("dbs/emoji 😀/ok+plus&amp=eq%41?q#h.parquet")]
    public async Task Keys_with_unicode_spaces_and_url_characters_round_trip(string key)
    {
        var data = Bytes(key);
        await Store.PutAsync(key, data);
        Assert.Equal(data, await Store.GetAsync(key));
        Assert.Equal(data[1..4], await Store.GetRangeAsync(key, 1, 3));
        Assert.Equal(key, (await Store.HeadAsync(key))!.Key);
        Assert.Equal([key], (await ListAsync("dbs/")).Select(m => m.Key));
        Assert.Equal([key], (await ListAsync(key[..^3])).Select(m => m.Key));
        Assert.False(await Store.PutIfAbsentAsync(key, data));
        await Store.DeleteAsync(key);
        Assert.Null(await Store.HeadAsync(key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs/path")]
    [InlineData("a/../b")]
    [InlineData("..")]
    [InlineData("./a")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("a\\b")]
    [InlineData("a\u0000b")]
    [InlineData("a\nb")]
    [InlineData("a/.b.tmp")]
    public async Task Invalid_keys_are_refused_by_every_operation(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, Bytes("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutIfAbsentAsync(key, Bytes("x")));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetRangeAsync(key, 0, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.HeadAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenWriteAsync(key));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("../")]
    [InlineData("a/../")]
    [InlineData("a\\")]
    public async Task Invalid_prefixes_are_refused(string prefix)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ListAsync(prefix));
    }

    [Fact]
    public async Task A_cancelled_token_cancels()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync("c", Bytes("x"), cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.GetAsync("c", cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ListAsync("", cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.OpenWriteAsync("c", cts.Token));
        await using var writer = await Store.OpenWriteAsync("c");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.WritePartAsync(new byte[writer.MinimumPartSize], cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.CompleteAsync(Bytes("x"), cts.Token));
        Assert.Null(await Store.HeadAsync("c"));
    }

    protected async Task<List<ObjectMeta>> ListAsync(string prefix, CancellationToken ct = default)
    {
        var result = new List<ObjectMeta>();
        await foreach (var meta in Store.ListAsync(prefix, ct))
        {
            result.Add(meta);
        }
        return result;
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
