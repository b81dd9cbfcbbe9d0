using Tsdb.Wal;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: one WAL record payload (after its frame's CRC matched) through <c>WalRecordCodec.Decode</c>, every table
/// batch touched. Only <see cref="InvalidDataException"/> may come out: replay cuts the segment there and goes on.
/// </summary>
internal sealed class WalRecordTarget : FuzzTarget
{
    public override string Name => "wal-record";

    public override string Contract => "WalRecordCodec.Decode and every value read: only InvalidDataException";

    public override void Run(byte[] input)
    {
        var record = WalRecordCodec.Decode(1, input);
        foreach (var table in record.Tables)
        {
            BatchToucher.Touch(table.Batch);
        }
    }

    public override bool IsExpected(Exception exception) => exception is InvalidDataException;
}
