using System.Text;
using Xunit.Abstractions;

namespace Tsdb.ObjectStore.Tests;

public sealed class LocalFileObjectStoreTests(ITestOutputHelper output) : ObjectStoreConformance
{
    private readonly string _root = Path.Join(Path.GetTempPath(), $"tsdb-objectstore-{Guid.NewGuid():N}");

    protected override IObjectStore CreateStore() => new LocalFileObjectStore(_root);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Objects_are_files_at_their_key_paths()
    {
        await Store.PutAsync("dbs/db/cpu/2024-01-01/1.parquet", "x"u8.ToArray());
        Assert.Equal("x"u8.ToArray(), File.ReadAllBytes(Path.Join(_root, "dbs", "db", "cpu", "2024-01-01", "1.parquet")));
    }

    [Fact]
    public async Task Temporary_files_left_by_a_crash_are_not_listed_and_do_not_break_puts()
    {
        await Store.PutAsync("dbs/db/t/f.parquet", "old"u8.ToArray());
        var directory = Path.Join(_root, "dbs", "db", "t");
        // What a writer that died between writing and renaming leaves behind (DurableFile's and put-if-absent's shapes).
        var leftovers = new[]
        {
            Path.Join(directory, $".f.parquet.12345.{Guid.NewGuid():N}.tmp"),
            Path.Join(directory, $".g.parquet.12345.{Guid.NewGuid():N}.tmp"),
            Path.Join(_root, $".top.12345.{Guid.NewGuid():N}.tmp"),
        };
        foreach (var leftover in leftovers)
        {
            File.WriteAllBytes(leftover, "half-written garbage"u8.ToArray());
        }

        Assert.Equal(["dbs/db/t/f.parquet"], (await ListAsync("")).Select(m => m.Key));
        await Store.PutAsync("dbs/db/t/f.parquet", "new"u8.ToArray());
        Assert.True(await Store.PutIfAbsentAsync("dbs/db/t/g.parquet", "g"u8.ToArray()));
        Assert.Equal("new"u8.ToArray(), await Store.GetAsync("dbs/db/t/f.parquet"));
        Assert.Equal(["dbs/db/t/f.parquet", "dbs/db/t/g.parquet"], (await ListAsync("dbs/")).Select(m => m.Key));
        Assert.All(leftovers, f => Assert.True(File.Exists(f)));

        var store = (LocalFileObjectStore)Store;
        Assert.Equal(0, store.DeleteStaleTemporaryFiles(TimeSpan.FromHours(1)));
        foreach (var leftover in leftovers)
        {
            File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddHours(-2));
        }
        Assert.Equal(3, store.DeleteStaleTemporaryFiles(TimeSpan.FromHours(1)));
        Assert.All(leftovers, f => Assert.False(File.Exists(f)));
        Assert.Equal(2, (await ListAsync("")).Count);
    }

    [Fact]
    public async Task A_successful_put_leaves_no_temporary_file()
    {
        await Store.PutAsync("a/b", "1"u8.ToArray());
        Assert.True(await Store.PutIfAbsentAsync("a/c", "2"u8.ToArray()));
        Assert.False(await Store.PutIfAbsentAsync("a/c", "3"u8.ToArray()));
        Assert.Equal(["b", "c"], Directory.GetFiles(Path.Join(_root, "a")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PutIfAbsent_is_exclusive_across_independent_store_instances()
    {
        // Separate instances share nothing but the directory, as separate processes would: only link(2) decides.
        const int writers = 16;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            var store = new LocalFileObjectStore(_root);
            await start.Task;
            return await store.PutIfAbsentAsync("catalog/00000001", Encoding.UTF8.GetBytes($"writer {i}"));
        })).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(attempts);
        var winner = Assert.Single(Enumerable.Range(0, writers), i => results[i]);
        Assert.Equal(Encoding.UTF8.GetBytes($"writer {winner}"), await Store.GetAsync("catalog/00000001"));
    }

    [Fact]
    public async Task Delete_removes_directories_left_empty_but_never_the_root()
    {
        await Store.PutAsync("dbs/db/t/2024-01-01/1.parquet", new byte[1]);
        await Store.PutAsync("dbs/db/t/2024-01-02/2.parquet", new byte[1]);
        await Store.DeleteAsync("dbs/db/t/2024-01-01/1.parquet");
        Assert.False(Directory.Exists(Path.Join(_root, "dbs", "db", "t", "2024-01-01")));
        Assert.True(Directory.Exists(Path.Join(_root, "dbs", "db", "t", "2024-01-02")));
        await Store.DeleteAsync("dbs/db/t/2024-01-02/2.parquet");
        Assert.False(Directory.Exists(Path.Join(_root, "dbs")));
        Assert.True(Directory.Exists(_root));
        await Store.PutAsync("dbs/db/t/2024-01-02/2.parquet", new byte[1]);
        Assert.NotNull(await Store.HeadAsync("dbs/db/t/2024-01-02/2.parquet"));
    }

    [Fact]
    public async Task Puts_and_deletes_racing_in_one_directory_lose_nothing()
    {
        // Deletes remove empty directories while puts create files in them; every put must still land.
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var key = $"race/{i % 3}/k{i}";
            await Store.PutAsync(key, new byte[1], ct);
            if (i % 2 == 0)
            {
                await Store.DeleteAsync(key, ct);
            }
        });
        var listed = await ListAsync("race/");
        Assert.Equal(200, listed.Count);
        Assert.All(listed, m => Assert.Equal(1, int.Parse(m.Key.AsSpan(m.Key.LastIndexOf('k') + 1), System.Globalization.CultureInfo.InvariantCulture) % 2));
    }

    [Fact]
    public async Task A_key_that_is_also_a_directory_is_refused_with_a_permanent_error()
    {
        await Store.PutAsync("a/b", new byte[1]);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => Store.PutAsync("a", new byte[1]));
        Assert.False(e.IsTransient);
        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectStoreException>(() => Store.PutIfAbsentAsync("a", new byte[1]));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetAsync("a"));
        Assert.Null(await Store.HeadAsync("a"));
        await Store.DeleteAsync("a"); // nothing to delete: the directory is not an object
        Assert.NotNull(await Store.HeadAsync("a/b"));
    }

    [Fact]
    public async Task A_streamed_write_is_a_hidden_temporary_file_until_completed_and_an_abort_removes_it()
    {
        var directory = Path.Join(_root, "s", "t");
        await using (var writer = await Store.OpenWriteAsync("s/t/obj"))
        {
            await writer.WritePartAsync("part"u8.ToArray());
            var temporary = Assert.Single(Directory.GetFiles(directory));
            Assert.True(ObjectKey.IsTemporaryName(Path.GetFileName(temporary)), temporary);
            Assert.Empty(await ListAsync(""));
            await writer.AbortAsync();
        }
        Assert.False(Directory.Exists(Path.Join(_root, "s")), "the abort leaves no file and no directory it created");

        await using (var writer = await Store.OpenWriteAsync("s/t/obj"))
        {
            await writer.WritePartAsync("part"u8.ToArray());
            await writer.CompleteAsync("tail"u8.ToArray());
        }
        Assert.Equal(["obj"], Directory.GetFiles(directory).Select(Path.GetFileName));
        Assert.Equal("parttail"u8.ToArray(), File.ReadAllBytes(Path.Join(directory, "obj")));
    }

    [Fact]
    public async Task A_writer_lost_to_a_crash_leaves_a_temporary_file_the_sweeper_removes()
    {
        var abandoned = await Store.OpenWriteAsync("s/lost"); // never completed, never disposed
        await abandoned.WritePartAsync("half"u8.ToArray());
        Assert.Empty(await ListAsync(""));
        var temporary = Assert.Single(Directory.GetFiles(Path.Join(_root, "s")));
        File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow.AddHours(-2));
        Assert.Equal(1, ((LocalFileObjectStore)Store).DeleteStaleTemporaryFiles(TimeSpan.FromHours(1)));
        Assert.Empty(Directory.GetFiles(Path.Join(_root, "s")));
        await abandoned.DisposeAsync();
    }

    [Fact]
    public async Task A_200_MB_object_streamed_through_ObjectWriteStream_allocates_about_one_part()
    {
        const int partSize = 1024 * 1024;
        const int chunkSize = 64 * 1024;
        const int chunks = 200 * 1024 * 1024 / chunkSize;
        var chunk = new byte[chunkSize];
        new Random(31).NextBytes(chunk);
        var stream = await ObjectWriteStream.OpenAsync(Store, "big/200mb.parquet", partSize);

        // The local store finishes each part inside the call, so everything below runs on this thread.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < chunks; i++)
        {
            BitConverter.TryWriteBytes(chunk, i); // each chunk distinct, to check the order below
            stream.Write(chunk);
        }
        var completion = stream.CompleteAsync();
        Assert.True(completion.IsCompleted);
        await completion;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await stream.DisposeAsync();

        output.WriteLine($"streamed {(long)chunks * chunkSize:N0} bytes in {partSize:N0}-byte parts: {allocated:N0} bytes allocated");
        Assert.True(allocated < partSize + (256 * 1024), $"{allocated:N0} bytes allocated to stream 200 MB in {partSize:N0}-byte parts");
        Assert.Equal((long)chunks * chunkSize, (await Store.HeadAsync("big/200mb.parquet"))!.Size);
        foreach (var i in new[] { 0, 1, 15, 16, 17, chunks / 2, chunks - 1 })
        {
            BitConverter.TryWriteBytes(chunk, i);
            Assert.Equal(chunk, await Store.GetRangeAsync("big/200mb.parquet", (long)i * chunkSize, chunkSize));
        }
    }
}
