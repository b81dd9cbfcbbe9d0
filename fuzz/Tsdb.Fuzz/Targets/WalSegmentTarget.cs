using System.Buffers.Binary;
using Tsdb.Wal;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a WAL segment file replayed at start-up by <c>WalReplayer.Replay</c> from a scratch directory. Replay
/// "never refuses to start": a bad frame cuts the segment and is reported; the only exception it may raise is
/// <see cref="InvalidDataException"/> for a segment of another format version. Before writing the file, the target
/// recomputes the CRC of every whole frame, so mutations reach the framing and record decoding past the checksum
/// (a CRC mismatch alone is the cheapest path and needs no fuzzing).
/// </summary>
internal sealed class WalSegmentTarget : FuzzTarget
{
    public override string Name => "wal-segment";

    public override string Contract => "WalReplayer.Replay of the input as a segment file (frame CRCs fixed up): only InvalidDataException";

    public override void Run(byte[] input)
    {
        var bytes = (byte[])input.Clone();
        FixChecksums(bytes);
        var directory = Directory.CreateTempSubdirectory("tsdb-fuzz-wal-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(directory, WalSegmentFormat.FileName(1)), bytes);
            var listener = new TouchingListener();
            _ = WalReplayer.Replay(new WalOptions { Directory = directory, MaxRecordBytes = 1 << 20 }, listener);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void FixChecksums(byte[] bytes)
    {
        var position = WalSegmentFormat.HeaderLength;
        while (bytes.Length - position >= WalSegmentFormat.FrameLength)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position));
            if (length > bytes.Length - position - WalSegmentFormat.FrameLength)
            {
                return;
            }
            var sequence = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position + 8));
            var payload = bytes.AsSpan(position + WalSegmentFormat.FrameLength, (int)length);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(position + 4), WalSegmentFormat.Checksum(sequence, payload));
            position += WalSegmentFormat.FrameLength + (int)length;
        }
    }

    public override bool IsExpected(Exception exception) => exception is InvalidDataException;

    private sealed class TouchingListener : IWalListener
    {
        public void OnRecord(WalRecord record)
        {
            foreach (var table in record.Tables)
            {
                BatchToucher.Touch(table.Batch);
            }
        }
    }
}
