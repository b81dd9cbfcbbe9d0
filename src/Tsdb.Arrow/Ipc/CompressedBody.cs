using System.Buffers.Binary;

namespace Tsdb.Arrow.Ipc;

/// <summary>How the IPC format frames one compressed body buffer, whatever the codec.</summary>
internal static class CompressedBody
{
    /// <summary>
    /// The int64 uncompressed length, then the codec's <paramref name="written"/> bytes already placed at
    /// <paramref name="output"/>[8..]; or -1 and the raw bytes when the codec did not make the buffer smaller.
    /// </summary>
    public static byte[] Frame(ReadOnlySpan<byte> raw, byte[] output, int written)
    {
        if (written >= raw.Length)
        {
            var plain = new byte[8 + raw.Length];
            BinaryPrimitives.WriteInt64LittleEndian(plain, -1);
            raw.CopyTo(plain.AsSpan(8));
            return plain;
        }
        BinaryPrimitives.WriteInt64LittleEndian(output, raw.Length);
        return output.AsSpan(0, 8 + written).ToArray();
    }
}
