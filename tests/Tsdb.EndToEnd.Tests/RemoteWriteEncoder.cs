using System.Buffers.Binary;
using System.Text;

namespace Tsdb.EndToEnd.Tests;

/// <summary>
/// A minimal remote-write 1.0 body, in-process (no Node): a prometheus.WriteRequest protobuf in snappy's block format,
/// made of literals only (valid snappy that any decoder reads). For tests that send many requests.
/// </summary>
internal static class RemoteWriteEncoder
{
    public static byte[] Encode(IEnumerable<(string Name, IReadOnlyList<(string Label, string Value)> Labels, long Ms, double Value)> series)
    {
        using var request = new MemoryStream();
        foreach (var (name, labels, ms, value) in series)
        {
            using var ts = new MemoryStream();
            foreach (var (label, text) in new[] { ("__name__", name) }.Concat(labels))
            {
                using var l = new MemoryStream();
                Bytes(l, 1, Encoding.UTF8.GetBytes(label));
                Bytes(l, 2, Encoding.UTF8.GetBytes(text));
                Bytes(ts, 1, l.ToArray());
            }
            using var sample = new MemoryStream();
            sample.WriteByte((1 << 3) | 1);
            var d = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(d, value);
            sample.Write(d);
            sample.WriteByte(2 << 3);
            Varint(sample, (ulong)ms);
            Bytes(ts, 2, sample.ToArray());
            Bytes(request, 1, ts.ToArray());
        }
        return Snappy(request.ToArray());
    }

    /// <summary>A remote-read request (prometheus.ReadRequest, SAMPLES) for one metric name over [startMs, endMs], in snappy's block format.</summary>
    public static byte[] EncodeRead(string metric, long startMs, long endMs)
    {
        using var matcher = new MemoryStream();
        Bytes(matcher, 2, Encoding.UTF8.GetBytes("__name__")); // type 1 left out: EQ is 0
        Bytes(matcher, 3, Encoding.UTF8.GetBytes(metric));
        using var query = new MemoryStream();
        query.WriteByte(1 << 3);
        Varint(query, (ulong)startMs);
        query.WriteByte(2 << 3);
        Varint(query, (ulong)endMs);
        Bytes(query, 3, matcher.ToArray());
        using var request = new MemoryStream();
        Bytes(request, 1, query.ToArray());
        return Snappy(request.ToArray());
    }

    private static void Bytes(Stream s, int field, byte[] bytes)
    {
        s.WriteByte((byte)((field << 3) | 2));
        Varint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void Varint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    private static byte[] Snappy(byte[] data)
    {
        using var s = new MemoryStream();
        Varint(s, (ulong)data.Length);
        for (var offset = 0; offset < data.Length; offset += 65536)
        {
            var length = Math.Min(65536, data.Length - offset);
            // Literal tag 61: a two-byte little-endian length - 1 follows.
            s.WriteByte(61 << 2);
            s.WriteByte((byte)((length - 1) & 0xFF));
            s.WriteByte((byte)((length - 1) >> 8));
            s.Write(data, offset, length);
        }
        return s.ToArray();
    }
}
