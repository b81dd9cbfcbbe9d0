namespace Tsdb.ObjectStore.Tests;

/// <summary>The stream's double buffering against a writer whose parts take a while and look at their bytes late.</summary>
public sealed class ObjectWriteStreamTests
{
    [Fact]
    public async Task Synchronous_writes_overlap_one_upload_at_a_time_and_never_touch_a_buffer_in_flight()
    {
        var writer = new SlowWriter();
        var data = new byte[(10 * 1000) + 7];
        new Random(1).NextBytes(data);
        await using (var stream = new ObjectWriteStream(writer, partSize: 1000))
        {
            await Task.Run(() =>
            {
                for (var at = 0; at < data.Length; at += 333)
                {
                    stream.Write(data.AsSpan(at, Math.Min(333, data.Length - at)));
                }
            });
            await stream.CompleteAsync();
        }
        Assert.Equal(10, writer.Parts.Count);
        Assert.All(writer.Parts, p => Assert.Equal(1000, p.Length));
        Assert.Equal(data, writer.Parts.SelectMany(p => p).Concat(writer.Last!).ToArray());
        Assert.Equal(1, writer.MaxInFlight);
        Assert.False(writer.Aborted);
    }

    [Fact]
    public async Task A_failed_part_surfaces_at_the_next_boundary_and_disposing_aborts()
    {
        var writer = new SlowWriter { FailPart = 2 };
        var stream = new ObjectWriteStream(writer, partSize: 10);
        await Task.Run(() => stream.Write(new byte[25])); // parts 1 and 2 started; 2 fails in the background
        var e = await Assert.ThrowsAsync<IOException>(() => Task.Run(() => stream.Write(new byte[10])));
        Assert.Equal("part 2 failed", e.Message);
        Assert.False(stream.CanWrite);
        Assert.Same(e, Assert.Throws<InvalidOperationException>(() => stream.Write(new byte[1])).InnerException);
        await Assert.ThrowsAsync<InvalidOperationException>(() => stream.CompleteAsync());
        stream.Dispose(); // synchronous dispose: aborts too
        Assert.True(writer.Aborted);
        Assert.Null(writer.Last);
    }

    [Fact]
    public async Task Completion_waits_for_the_part_in_flight_and_sends_the_rest_as_the_last_part()
    {
        var writer = new SlowWriter();
        await using var stream = new ObjectWriteStream(writer, partSize: 4);
        stream.Write("abcdefg"u8);
        stream.Flush(); // sends nothing
        Assert.Single(writer.Started);
        await stream.CompleteAsync();
        Assert.Equal(["abcd"], writer.Parts.Select(p => System.Text.Encoding.ASCII.GetString(p)));
        Assert.Equal("efg"u8.ToArray(), writer.Last);
        Assert.Throws<InvalidOperationException>(() => stream.Write("x"u8));
    }

    [Fact]
    public void A_part_size_below_the_writers_minimum_is_refused()
    {
        var writer = new SlowWriter { MinimumPartSize = 100 };
        Assert.Throws<ArgumentOutOfRangeException>(() => new ObjectWriteStream(writer, partSize: 99));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ObjectWriteStream(writer, partSize: 0));
    }

    /// <summary>Each part completes on another thread after a yield, and copies its bytes only then.</summary>
    private sealed class SlowWriter : IObjectWriter
    {
        private int _inFlight;

        public List<byte[]> Parts { get; } = [];

        public List<int> Started { get; } = [];

        public byte[]? Last { get; private set; }

        public bool Aborted { get; private set; }

        public int MaxInFlight { get; private set; }

        public int FailPart { get; init; }

        public string Key => "k";

        public int MinimumPartSize { get; init; } = 1;

        public long BytesWritten { get; private set; }

        public Task WritePartAsync(ReadOnlyMemory<byte> part, CancellationToken ct = default)
        {
            var number = Started.Count + 1;
            Started.Add(number);
            MaxInFlight = Math.Max(MaxInFlight, Interlocked.Increment(ref _inFlight));
            return Task.Run(async () =>
            {
                await Task.Delay(1, ct);
                try
                {
                    if (number == FailPart)
                    {
                        throw new IOException($"part {number} failed");
                    }
                    Parts.Add(part.ToArray());
                    BytesWritten += part.Length;
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
            }, ct);
        }

        public Task CompleteAsync(ReadOnlyMemory<byte> lastPart = default, CancellationToken ct = default)
        {
            Assert.Equal(0, Volatile.Read(ref _inFlight));
            Last = lastPart.ToArray();
            return Task.CompletedTask;
        }

        public Task AbortAsync(CancellationToken ct = default)
        {
            Assert.Equal(0, Volatile.Read(ref _inFlight));
            Aborted = Last is null;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
