using System.Buffers.Binary;
using System.Numerics;

namespace Tsdb.Core.Hashing;

/// <summary>CRC-32C (Castagnoli) over the hardware instruction where there is one (SSE4.2, ARMv8).</summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFFu, data);

    /// <summary>Continues a running CRC (pass the previous result of this method, starting with 0xFFFFFFFF).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return crc;
    }
}
