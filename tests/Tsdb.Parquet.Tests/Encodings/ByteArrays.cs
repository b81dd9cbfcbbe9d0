using System.Text;

namespace Tsdb.Parquet.Tests.Encodings;

/// <summary>Byte-array values as the encoders take them (data + count + 1 offsets), and random sets of them.</summary>
internal sealed record ByteArrays(byte[] Data, int[] Offsets)
{
    public int Count => Offsets.Length - 1;

    public static ByteArrays Of(params string[] values) => Of(Array.ConvertAll(values, v => Encoding.UTF8.GetBytes(v)));

    public static ByteArrays Of(params byte[][] values)
    {
        var offsets = new int[values.Length + 1];
        using var data = new MemoryStream();
        for (var i = 0; i < values.Length; i++)
        {
            data.Write(values[i]);
            offsets[i + 1] = (int)data.Length;
        }
        return new ByteArrays(data.ToArray(), offsets);
    }

    public byte[] this[int index] => Data[Offsets[index]..Offsets[index + 1]];

    /// <summary>Values that share prefixes (sorted keys, URLs), with empty and long values mixed in.</summary>
    public static ByteArrays Random(Random rng, int count)
    {
        var values = new byte[count][];
        var previous = Array.Empty<byte>();
        for (var i = 0; i < count; i++)
        {
            var value = rng.Next(12) switch
            {
                0 => [],
                1 => RandomBytes(rng, rng.Next(1000, 5000)),
                2 => previous,
                3 => RandomBytes(rng, rng.Next(0, 20)),
                _ => [.. previous.AsSpan(0, rng.Next(previous.Length + 1)), .. RandomBytes(rng, rng.Next(0, 12))],
            };
            values[i] = value;
            previous = value;
        }
        return Of(values);
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }
}
