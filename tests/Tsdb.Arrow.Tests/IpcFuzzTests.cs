using System.Buffers.Binary;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Ipc;

namespace Tsdb.Arrow.Tests;

/// <summary>Mutated and truncated IPC bytes must produce our exception type or valid data, never anything else.</summary>
public sealed class IpcFuzzTests
{
    private static readonly IpcReadOptions Limits = new() { MaxMetadataLength = 1 << 20, MaxBodyLength = 1 << 24 };

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 12)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Mutated_streams_and_files_fail_only_with_ArrowFormatException(int seed)
    {
        var random = new RandomBatches(seed);
        var schema = random.NextSchema();
        var batches = new[] { random.NextBatch(schema, random.Rng.Next(1, 60)), random.NextBatch(schema, random.Rng.Next(0, 30)) };
        var compression = (seed % 4) switch { 0 => IpcCompression.Zstd, 1 => IpcCompression.Lz4Frame, _ => IpcCompression.None };
        var stream = ArrowStreamWriter.ToBytes(schema, batches, new IpcWriteOptions { Compression = compression });
        var file = ArrowFileWriter.ToBytes(schema, batches.Take(1), new IpcWriteOptions { Compression = compression });
        var rng = random.Rng;
        for (var i = 0; i < 400; i++)
        {
            ReadMustNotCrash(Mutate(stream, rng), isFile: false);
            ReadMustNotCrash(Mutate(file, rng), isFile: true);
        }
        for (var cut = 0; cut < stream.Length; cut += Math.Max(1, stream.Length / 97))
        {
            ReadMustNotCrash(stream[..cut], isFile: false);
        }
        for (var cut = 0; cut < file.Length; cut += Math.Max(1, file.Length / 97))
        {
            ReadMustNotCrash(file[..cut], isFile: true);
        }
    }

    [Fact]
    public void Random_bytes_fail_only_with_ArrowFormatException()
    {
        var rng = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[rng.Next(0, 200)];
            rng.NextBytes(bytes);
            if (bytes.Length >= 4 && rng.Next(2) == 0)
            {
                BinaryPrimitives.WriteInt32LittleEndian(bytes, -1); // a continuation marker gets past the first check
            }
            ReadMustNotCrash(bytes, isFile: false);
            ReadMustNotCrash(bytes, isFile: true);
        }
    }

    [Fact]
    public void Truncated_stream_error_says_where_it_ended()
    {
        var random = new RandomBatches(3);
        var schema = random.NextSchema();
        var bytes = ArrowStreamWriter.ToBytes(schema, [random.NextBatch(schema, 100)]);
        var error = Assert.Throws<ArrowFormatException>(() => new ArrowStreamReader(bytes.AsMemory(0, bytes.Length - 40)).ReadAll().ToList());
        Assert.StartsWith("truncated Arrow stream: it ends inside the message body", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArrowFormatException>(() => new ArrowStreamReader(new MemoryStream(bytes, 0, 6)).ReadAll().ToList());
        Assert.Equal("truncated Arrow stream: it ends inside the message length", error.Message);
    }

    [Fact]
    public void Lz4_frames_must_hold_exactly_what_the_prefix_says()
    {
        var frame = Lz4FrameCodec.Compress(new byte[1000])[8..];
        var huge = int.MaxValue - 100;
        var error = Assert.Throws<ArrowFormatException>(() => Lz4FrameCodec.Decompress("v", frame, huge));
        Assert.Equal($"field 'v': an LZ4 frame of {frame.Length} bytes cannot hold the {huge} bytes the prefix says", error.Message);
        error = Assert.Throws<ArrowFormatException>(() => Lz4FrameCodec.Decompress("v", frame, 1001));
        Assert.Equal("field 'v': LZ4 frame holds 1000 bytes, the prefix says 1001", error.Message);
        error = Assert.Throws<ArrowFormatException>(() => Lz4FrameCodec.Decompress("v", frame, 999));
        Assert.Equal("field 'v': LZ4 frame holds more than the 999 bytes the prefix says", error.Message);
        Assert.Equal(new byte[1000], Lz4FrameCodec.Decompress("v", frame, 1000));
    }

    [Fact]
    public void Huge_announced_body_is_refused_before_allocating()
    {
        var random = new RandomBatches(4);
        var schema = random.NextSchema();
        var bytes = ArrowStreamWriter.ToBytes(schema, [random.NextBatch(schema, 10)]);
        // Stream of just the schema followed by a record batch header claiming a body of 2^40 bytes is refused by limit.
        var reader = new ArrowStreamReader(new MemoryStream(bytes), new IpcReadOptions { MaxBodyLength = 16 });
        var error = Assert.Throws<ArrowFormatException>(() => reader.ReadAll().ToList());
        Assert.Contains("exceeds the limit", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Mutate(byte[] original, Random rng)
    {
        var bytes = (byte[])original.Clone();
        var edits = rng.Next(1, 4);
        for (var e = 0; e < edits && bytes.Length > 0; e++)
        {
            var at = rng.Next(bytes.Length);
            switch (rng.Next(4))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)rng.Next(256);
                    break;
                case 2:
                    if (at + 4 <= bytes.Length)
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), rng.Next(3) switch { 0 => -1, 1 => int.MaxValue, _ => rng.Next(-100, 100000) });
                    }
                    break;
                default:
                    if (at + 8 <= bytes.Length)
                    {
                        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), rng.Next(2) == 0 ? long.MaxValue : rng.NextInt64(-10, 1 << 20));
                    }
                    break;
            }
        }
        return bytes;
    }

    private static void ReadMustNotCrash(byte[] bytes, bool isFile)
    {
        try
        {
            if (isFile)
            {
                var reader = new ArrowFileReader(bytes, Limits);
                foreach (var batch in reader.ReadAll())
                {
                    Touch(batch);
                }
            }
            else
            {
                foreach (var batch in new ArrowStreamReader(bytes, Limits).ReadAll())
                {
                    Touch(batch);
                }
                foreach (var batch in new ArrowStreamReader(new MemoryStream(bytes), Limits).ReadAll())
                {
                    Touch(batch);
                }
            }
        }
        catch (ArrowFormatException)
        {
        }
    }

    /// <summary>Reads every value, so that a batch that decoded but lies about its layout would throw here.</summary>
    private static void Touch(RecordBatch batch)
    {
        foreach (var column in batch.Columns)
        {
            for (var i = 0; i < column.Length; i++)
            {
                _ = column.GetObject(i);
            }
        }
    }
}
