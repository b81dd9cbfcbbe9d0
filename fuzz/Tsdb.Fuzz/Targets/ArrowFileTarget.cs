using Tsdb.Arrow;
using Tsdb.Arrow.Ipc;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: Arrow IPC file bytes through <see cref="ArrowFileReader"/> (footer, then every batch), every value
/// touched. Only <see cref="ArrowFormatException"/> may come out.
/// </summary>
internal sealed class ArrowFileTarget : FuzzTarget
{
    public override string Name => "arrow-file";

    public override string Contract => "ArrowFileReader.ReadAll and every value read: only ArrowFormatException";

    public override void Run(byte[] input)
    {
        var reader = new ArrowFileReader(input);
        foreach (var batch in reader.ReadAll())
        {
            using (batch)
            {
                BatchToucher.Touch(batch);
            }
        }
    }

    public override bool IsExpected(Exception exception) => exception is ArrowFormatException;
}
