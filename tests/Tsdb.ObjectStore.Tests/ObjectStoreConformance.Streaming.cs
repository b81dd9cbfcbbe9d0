namespace Tsdb.ObjectStore.Tests;

/// <summary>
/// Streaming writes (<see cref="IObjectStore.OpenWriteAsync"/>): invisible until complete, then whole; nothing left by
/// an abort, a dispose or a failed part; the concatenation of the parts; and through <see cref="ObjectWriteStream"/>.
/// Parts are the store's minimum (5 MiB on S3) or 64 KiB, whichever is larger.
/// </summary>
public abstract partial class ObjectStoreConformance
{
    [Fact]
    public async Task Streamed_object_is_invisible_until_completed_then_whole()
    {
        await Store.PutAsync("s/neighbour", Bytes("n"));
        await using var writer = await Store.OpenWriteAsync("s/obj");
        Assert.Equal("s/obj", writer.Key);
        var (parts, tail, whole) = PartsFor(writer, count: 2, tailLength: 1234, seed: 1);

        foreach (var part in parts)
        {
            await writer.WritePartAsync(part);
            await AssertAbsentAsync("s/obj", "s/");
        }
        Assert.Equal(2L * parts[0].Length, writer.BytesWritten);
        await writer.CompleteAsync(tail);

        Assert.Equal(whole.Length, writer.BytesWritten);
        Assert.Equal(whole, await Store.GetAsync("s/obj"));
        Assert.Equal(whole.Length, (await Store.HeadAsync("s/obj"))!.Size);
        Assert.Equal(whole.AsSpan(parts[0].Length - 3, 10).ToArray(), await Store.GetRangeAsync("s/obj", parts[0].Length - 3, 10));
        Assert.Equal(["s/neighbour", "s/obj"], (await ListAsync("s/")).Select(m => m.Key));
    }

    [Fact]
    public async Task Streaming_over_an_existing_object_keeps_the_old_bytes_until_completed()
    {
        await Store.PutAsync("s/obj", Bytes("old"));
        await using var writer = await Store.OpenWriteAsync("s/obj");
        var (parts, tail, whole) = PartsFor(writer, count: 1, tailLength: 10, seed: 2);
        await writer.WritePartAsync(parts[0]);
        Assert.Equal(Bytes("old"), await Store.GetAsync("s/obj"));
        await writer.CompleteAsync(tail);
        Assert.Equal(whole, await Store.GetAsync("s/obj"));
    }

    [Fact]
    public async Task An_aborted_writer_leaves_no_object_and_an_existing_one_as_it_was()
    {
        await using (var writer = await Store.OpenWriteAsync("s/new"))
        {
            var (parts, _, _) = PartsFor(writer, count: 2, tailLength: 0, seed: 3);
            await writer.WritePartAsync(parts[0]);
            await writer.WritePartAsync(parts[1]);
            await writer.AbortAsync();
            await writer.AbortAsync(); // again: nothing to do
            await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WritePartAsync(parts[0]));
            await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync());
        }
        await AssertAbsentAsync("s/new", "");

        await Store.PutAsync("s/old", Bytes("old"));
        await using (var writer = await Store.OpenWriteAsync("s/old"))
        {
            await writer.WritePartAsync(PartsFor(writer, 1, 0, seed: 4).Parts[0]);
            await writer.AbortAsync();
        }
        Assert.Equal(Bytes("old"), await Store.GetAsync("s/old"));
        Assert.Equal(["s/old"], (await ListAsync("")).Select(m => m.Key));
    }

    [Fact]
    public async Task Disposing_a_writer_that_did_not_complete_aborts_it()
    {
        await using (var writer = await Store.OpenWriteAsync("s/abandoned"))
        {
            await writer.WritePartAsync(PartsFor(writer, 1, 0, seed: 5).Parts[0]);
        }
        await AssertAbsentAsync("s/abandoned", "");

        var stream = await ObjectWriteStream.OpenAsync(Store, "s/abandoned-stream", StreamPartSize);
        await stream.WriteAsync(new byte[stream.PartSize * 2 + 5]);
        await stream.DisposeAsync();
        await AssertAbsentAsync("s/abandoned-stream", "");
    }

    [Fact]
    public async Task Empty_and_one_part_objects_need_no_WritePart()
    {
        await using (var writer = await Store.OpenWriteAsync("s/empty"))
        {
            await writer.CompleteAsync();
        }
        await using (var writer = await Store.OpenWriteAsync("s/small"))
        {
            await writer.CompleteAsync(Bytes("small object"));
        }
        Assert.Empty(await Store.GetAsync("s/empty"));
        Assert.Equal(0, (await Store.HeadAsync("s/empty"))!.Size);
        Assert.Equal(Bytes("small object"), await Store.GetAsync("s/small"));

        await using (var stream = await ObjectWriteStream.OpenAsync(Store, "s/empty-stream", StreamPartSize))
        {
            await stream.CompleteAsync();
        }
        Assert.Empty(await Store.GetAsync("s/empty-stream"));
    }

    [Fact]
    public async Task A_part_shorter_than_the_minimum_is_refused_and_changes_nothing()
    {
        await using var writer = await Store.OpenWriteAsync("s/parts");
        Assert.InRange(writer.MinimumPartSize, 1, 5 * 1024 * 1024);
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WritePartAsync(ReadOnlyMemory<byte>.Empty));
        if (writer.MinimumPartSize > 1)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => writer.WritePartAsync(new byte[writer.MinimumPartSize - 1]));
        }
        Assert.Equal(0, writer.BytesWritten);
        await writer.CompleteAsync(Bytes("still usable"));
        Assert.Equal(Bytes("still usable"), await Store.GetAsync("s/parts"));
    }

    [Fact]
    public async Task A_completed_writer_refuses_parts_completes_again_as_a_no_op_and_ignores_abort()
    {
        await using var writer = await Store.OpenWriteAsync("s/done");
        await writer.CompleteAsync(Bytes("done"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WritePartAsync(new byte[writer.MinimumPartSize]));
        await writer.CompleteAsync(Bytes("ignored"));
        await writer.AbortAsync();
        await writer.DisposeAsync();
        Assert.Equal(Bytes("done"), await Store.GetAsync("s/done"));
    }

    [Fact]
    public async Task ObjectWriteStream_written_synchronously_in_odd_chunks_equals_what_was_written()
    {
        // A Parquet writer's shape: many small synchronous writes, a Flush, then completion.
        var partSize = StreamPartSize;
        var data = new byte[(partSize * 5 / 2) + 4321];
        new Random(6).NextBytes(data);
        await using (var stream = await ObjectWriteStream.OpenAsync(Store, "s/stream-sync", partSize))
        {
            await Task.Run(() =>
            {
                var random = new Random(7);
                for (var at = 0; at < data.Length;)
                {
                    var n = Math.Min(data.Length - at, random.Next(1, 70_000));
                    stream.Write(data, at, n);
                    at += n;
                }
                stream.Flush();
            });
            Assert.Equal(data.Length, stream.Position);
            await AssertAbsentAsync("s/stream-sync", "s/");
            await stream.CompleteAsync();
            Assert.False(stream.CanWrite);
        }
        Assert.Equal(data, await Store.GetAsync("s/stream-sync"));
    }

    [Fact]
    public async Task ObjectWriteStream_written_asynchronously_ending_on_a_part_boundary()
    {
        var partSize = StreamPartSize;
        var data = new byte[partSize * 2];
        new Random(8).NextBytes(data);
        await using (var stream = await ObjectWriteStream.OpenAsync(Store, "s/stream-async", partSize))
        {
            await stream.WriteAsync(data.AsMemory(0, 100));
            await stream.WriteAsync(data.AsMemory(100));
            await stream.CompleteAsync();
            Assert.Equal(data.Length, stream.Writer.BytesWritten);
        }
        Assert.Equal(data, await Store.GetAsync("s/stream-async"));
    }

    [Fact]
    public async Task Failed_parts_and_completions_never_leave_a_partial_object()
    {
        var faults = new FaultInjectingObjectStore(Store);

        // A part fails for good: the caller gives up, nothing appears.
        await using (var writer = await faults.OpenWriteAsync("f/part"))
        {
            var (parts, _, _) = PartsFor(writer, 2, 0, seed: 9);
            await writer.WritePartAsync(parts[0]);
            faults.FailNext(ObjectStoreOperation.WritePart, 1, InjectedFault.Permanent);
            await Assert.ThrowsAsync<ObjectStoreException>(() => writer.WritePartAsync(parts[1]));
            await AssertAbsentAsync("f/part", "f/");
        }
        await AssertAbsentAsync("f/part", "f/");

        // A part fails and is written again: it is in the object once.
        await using (var writer = await faults.OpenWriteAsync("f/part-again"))
        {
            var (parts, tail, whole) = PartsFor(writer, 2, 77, seed: 10);
            await writer.WritePartAsync(parts[0]);
            faults.FailNext(ObjectStoreOperation.WritePart, 1, InjectedFault.TransientAfterEffect);
            await Assert.ThrowsAsync<ObjectStoreException>(() => writer.WritePartAsync(parts[1]));
            await writer.WritePartAsync(parts[1]);
            await writer.CompleteAsync(tail);
            Assert.Equal(whole, await Store.GetAsync("f/part-again"));
        }

        // Completion fails before taking effect: still invisible; completing again publishes it whole.
        await using (var writer = await faults.OpenWriteAsync("f/complete"))
        {
            var (parts, tail, whole) = PartsFor(writer, 1, 5, seed: 11);
            await writer.WritePartAsync(parts[0]);
            faults.FailNext(ObjectStoreOperation.CompleteWrite, 1, InjectedFault.Timeout);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.CompleteAsync(tail));
            await AssertAbsentAsync("f/complete", "f/complete");
            await writer.CompleteAsync(tail);
            Assert.Equal(whole, await Store.GetAsync("f/complete"));
        }

        // Completion takes effect but its answer is lost: the object is whole, and completing again changes nothing.
        await using (var writer = await faults.OpenWriteAsync("f/lost-answer"))
        {
            var (parts, tail, whole) = PartsFor(writer, 1, 5, seed: 12);
            await writer.WritePartAsync(parts[0]);
            faults.FailNext(ObjectStoreOperation.CompleteWrite, 1, InjectedFault.TransientAfterEffect);
            await Assert.ThrowsAsync<ObjectStoreException>(() => writer.CompleteAsync(tail));
            Assert.Equal(whole, await Store.GetAsync("f/lost-answer"));
            await writer.CompleteAsync(tail);
            Assert.Equal(whole, await Store.GetAsync("f/lost-answer"));
        }

        // Through a stream: a failed part surfaces, the stream is done for, disposing aborts.
        var stream = await ObjectWriteStream.OpenAsync(faults, "f/stream", StreamPartSize);
        faults.FailNext(ObjectStoreOperation.WritePart, 1, InjectedFault.Permanent);
        await Assert.ThrowsAsync<ObjectStoreException>(async () =>
        {
            await stream.WriteAsync(new byte[stream.PartSize * 3]);
            await stream.CompleteAsync();
        });
        Assert.Throws<InvalidOperationException>(() => stream.Write(new byte[1]));
        await stream.DisposeAsync();
        await AssertAbsentAsync("f/stream", "f/stream");
    }

    [Fact]
    public async Task Retries_of_parts_and_completion_ride_out_random_faults_and_write_each_byte_once()
    {
        var faults = new FaultInjectingObjectStore(Store, seed: 13);
        var store = new RetryingObjectStore(faults, new RetryPolicy { MaxAttempts = 20, Delay = static (_, _) => Task.CompletedTask });
        var partSize = StreamPartSize;
        var data = new byte[(partSize * 4) + 99];
        new Random(14).NextBytes(data);

        faults.FailRandomly(0.4, InjectedFault.TransientAfterEffect, ObjectStoreOperation.WritePart, ObjectStoreOperation.CompleteWrite);
        await using (var stream = await ObjectWriteStream.OpenAsync(store, "r/retried", partSize))
        {
            await Task.Run(() => stream.Write(data));
            await stream.CompleteAsync();
        }
        faults.Reset();

        Assert.True(faults.InjectedCount > 0);
        Assert.Equal(data, await Store.GetAsync("r/retried"));
    }

    [Fact]
    public async Task A_reader_polling_during_a_streamed_write_sees_nothing_or_the_whole_object()
    {
        await using var writer = await Store.OpenWriteAsync("p/polled");
        var (parts, tail, whole) = PartsFor(writer, 3, 1000, seed: 15);
        using var done = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                try
                {
                    var bytes = await Store.GetAsync("p/polled");
                    Assert.Equal(whole, bytes);
                }
                catch (ObjectNotFoundException)
                {
                }
                await Task.Yield();
            }
        });
        foreach (var part in parts)
        {
            await writer.WritePartAsync(part);
        }
        await writer.CompleteAsync(tail);
        await Task.Delay(50);
        await done.CancelAsync();
        await reader;
        Assert.Equal(whole, await Store.GetAsync("p/polled"));
    }

    /// <summary>Parts of the store's minimum size (at least 64 KiB) with random bytes, a tail, and all of it joined.</summary>
    protected static (byte[][] Parts, byte[] Tail, byte[] Whole) PartsFor(IObjectWriter writer, int count, int tailLength, int seed)
    {
        var size = Math.Max(writer.MinimumPartSize, 64 * 1024);
        var whole = new byte[(size * count) + tailLength];
        new Random(seed).NextBytes(whole);
        var parts = Enumerable.Range(0, count).Select(i => whole.AsSpan(i * size, size).ToArray()).ToArray();
        return (parts, whole[(size * count)..], whole);
    }

    /// <summary>The part size of the tests' <see cref="ObjectWriteStream"/>s: small, but at least the store's minimum.</summary>
    protected virtual int StreamPartSize => 64 * 1024;

    private async Task AssertAbsentAsync(string key, string listPrefix)
    {
        Assert.Null(await Store.HeadAsync(key));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetAsync(key));
        Assert.DoesNotContain(key, (await ListAsync(listPrefix)).Select(m => m.Key));
    }
}
