using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Wal.Tests;

public sealed class WalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tsdb-wal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Recorder : IWalListener
    {
        public List<WalRecord> Records { get; } = [];

        public void OnRecord(WalRecord record)
        {
            lock (Records)
            {
                Records.Add(record);
            }
        }
    }

    private WalOptions Options(long segmentBytes = 64 << 20, TimeSpan? flush = null) =>
        new() { Directory = _dir, SegmentBytes = segmentBytes, FlushInterval = flush ?? TimeSpan.Zero };

    private static WalTableWrite Write(string table, long start, int rows, string host = "a")
    {
        var schema = new Schema([new Field("host", ArrowType.DictionaryUtf8), new Field("v", ArrowType.Int64), new Field("time", ArrowType.TimestampNanosecond, false)]);
        using var tags = new DictionaryArrayBuilder();
        using var values = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        using var times = new PrimitiveArrayBuilder<long>(ArrowType.TimestampNanosecond);
        for (var i = 0; i < rows; i++)
        {
            tags.Append(host);
            values.Append(start + i);
            times.Append((start + i) * 1000);
        }
        return new WalTableWrite(table, new RecordBatch(schema, [tags.Build(), values.Build(), times.Build()], rows));
    }

    private static long FirstValue(WalRecord r) => ((Int64Array)r.Tables[0].Batch.Column(1)).Values[0];

    [Fact]
    public async Task Appended_records_are_replayed_in_order_after_reopening()
    {
        var live = new Recorder();
        await using (var wal = WriteAheadLog.Open(Options(), live))
        {
            Assert.Equal(1, await wal.AppendAsync("db", [Write("cpu", 0, 3), Write("mem", 100, 2)]));
            Assert.Equal(2, await wal.AppendAsync("db2", [Write("cpu", 10, 1)]));
            Assert.Equal(3, await wal.AppendAsync("db", [Write("cpu", 20, 5)], sync: false));
        }
        Assert.Equal([1L, 2, 3], live.Records.Select(r => r.Sequence));

        var replayed = new Recorder();
        await using (var wal = WriteAheadLog.Open(Options(), replayed))
        {
            Assert.Empty(wal.ReplayReport.Problems);
            Assert.Equal(3, wal.ReplayReport.RecordCount);
            Assert.Equal(4, await wal.AppendAsync("db", [Write("cpu", 30, 1)]));
        }
        Assert.Equal(4, replayed.Records.Count); // three replayed, then the new one as it was written
        Assert.Equal(["db", "db2", "db", "db"], replayed.Records.Select(r => r.Database));
        Assert.Equal(["cpu", "mem"], replayed.Records[0].Tables.Select(t => t.Table));
        Assert.Equal([0L, 10, 20, 30], replayed.Records.Select(FirstValue));
        Assert.Equal(5, replayed.Records[2].Tables[0].Batch.Length);
        Assert.Equal("a", replayed.Records[0].Tables[0].Batch.Column(0).GetObject(2));
    }

    [Fact]
    public async Task Concurrent_writers_share_fsyncs_and_get_distinct_sequences()
    {
        var live = new Recorder();
        await using var wal = WriteAheadLog.Open(Options(flush: TimeSpan.FromMilliseconds(100)), live);
        var tasks = Enumerable.Range(0, 200).Select(i => wal.AppendAsync("db", [Write("cpu", i * 10, 2)]).AsTask()).ToArray();
        var sequences = await Task.WhenAll(tasks);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), sequences.Order());
        Assert.True(wal.CommitGroups <= 100, $"{wal.CommitGroups} groups for 200 concurrent writes");
        Assert.Equal(sequences.Order(), live.Records.Select(r => r.Sequence));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(100)]
    public async Task Torn_tail_is_cut_at_the_last_valid_record(int bytesLost)
    {
        await using (var wal = WriteAheadLog.Open(Options(), new Recorder()))
        {
            for (var i = 0; i < 5; i++)
            {
                await wal.AppendAsync("db", [Write("cpu", i * 100, 10)]);
            }
        }
        var segment = Directory.GetFiles(_dir).Single();
        var length = new FileInfo(segment).Length;
        using (var f = new FileStream(segment, FileMode.Open))
        {
            f.SetLength(length - bytesLost);
        }

        var replayed = new Recorder();
        await using (var wal = WriteAheadLog.Open(Options(), replayed))
        {
            Assert.Equal(4, replayed.Records.Count);
            Assert.Single(wal.ReplayReport.Problems);
            Assert.Contains("cut", wal.ReplayReport.Problems[0], StringComparison.Ordinal);
            Assert.Equal(5, await wal.AppendAsync("db", [Write("cpu", 999, 1)]));
        }

        var again = new Recorder();
        await using (var wal = WriteAheadLog.Open(Options(), again))
        {
            Assert.Empty(wal.ReplayReport.Problems);
            Assert.Equal([0L, 100, 200, 300, 999], again.Records.Select(FirstValue));
        }
    }

    [Fact]
    public async Task Corrupt_record_ends_its_segment_and_later_segments_still_replay()
    {
        await using (var wal = WriteAheadLog.Open(Options(segmentBytes: 1), new Recorder()))
        {
            for (var i = 0; i < 4; i++)
            {
                await wal.AppendAsync("db", [Write("cpu", i, 1)]);
            }
            Assert.Equal(5, await SegmentCountAsync(wal, 5)); // one per record, plus the fresh empty one
        }
        var second = Directory.GetFiles(_dir).Order().ElementAt(1);
        var bytes = File.ReadAllBytes(second);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(second, bytes);

        var replayed = new Recorder();
        await using var reopened = WriteAheadLog.Open(Options(), replayed);
        Assert.Equal([0L, 2, 3], replayed.Records.Select(FirstValue));
        Assert.Contains("CRC mismatch", Assert.Single(reopened.ReplayReport.Problems), StringComparison.Ordinal);
        Assert.Equal(5, await reopened.AppendAsync("db", [Write("cpu", 4, 1)]));
    }

    [Fact]
    public async Task Garbage_segment_is_removed_and_reported()
    {
        File.WriteAllBytes(Path.Combine(_dir, "00000000000000000001.wal"), [1, 2, 3]);
        await using var wal = WriteAheadLog.Open(Options(), new Recorder());
        Assert.Contains("no valid header", Assert.Single(wal.ReplayReport.Problems), StringComparison.Ordinal);
        Assert.Equal(1, await wal.AppendAsync("db", [Write("cpu", 0, 1)]));
    }

    [Fact]
    public async Task Persisted_segments_can_be_removed_but_never_the_open_one()
    {
        await using var wal = WriteAheadLog.Open(Options(segmentBytes: 1), new Recorder());
        for (var i = 0; i < 3; i++)
        {
            await wal.AppendAsync("db", [Write("cpu", i, 1)]);
        }
        Assert.Equal(4, await SegmentCountAsync(wal, 4));
        Assert.Equal(2, wal.RemoveSegmentsThrough(2));
        Assert.Equal(2, Directory.GetFiles(_dir).Length);
        Assert.Equal(1, wal.RemoveSegmentsThrough(long.MaxValue));
        Assert.Single(Directory.GetFiles(_dir));
        Assert.Equal(4, await wal.AppendAsync("db", [Write("cpu", 9, 1)]));
    }

    /// <summary>
    /// The segment count once the WAL has caught up: a full segment is closed and the next one started just after
    /// the appends in it are acknowledged (rotation stays off the acknowledgement path), so a test that counts right
    /// after its last append may run before the rotation. Waits up to 10 s for <paramref name="expected"/>.
    /// </summary>
    private static async Task<int> SegmentCountAsync(WriteAheadLog wal, int expected)
    {
        for (var waited = 0; wal.Segments.Count != expected && waited < 10_000; waited += 10)
        {
            await Task.Delay(10);
        }
        return wal.Segments.Count;
    }
}
