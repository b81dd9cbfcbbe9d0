using Tsdb.Arrow;
using Tsdb.Arrow.Ipc;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: Arrow IPC stream bytes (Flight DoPut bodies, WAL table streams, prepared-statement parameters) through
/// <see cref="ArrowStreamReader"/>, every batch read and every value touched. Only <see cref="ArrowFormatException"/>
/// may come out.
/// </summary>
internal sealed class ArrowStreamTarget : FuzzTarget
{
    public override string Name => "arrow-stream";

    public override string Contract => "ArrowStreamReader.ReadNextBatch and every value read: only ArrowFormatException";

    public override void Run(byte[] input)
    {
        using var reader = new ArrowStreamReader(input);
        while (reader.ReadNextBatch() is { } batch)
        {
            using (batch)
            {
                BatchToucher.Touch(batch);
            }
        }
    }

    public override bool IsExpected(Exception exception) => exception is ArrowFormatException;
}
