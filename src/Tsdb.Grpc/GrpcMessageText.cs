using System.Text;

namespace Tsdb.Grpc;

/// <summary>
/// <c>grpc-message</c> is percent-encoded UTF-8: bytes outside 0x20–0x7E, and '%' itself, become %XX
/// (PROTOCOL-HTTP2.md "Responses").
/// </summary>
internal static class GrpcMessageText
{
    public static string Encode(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var needs = false;
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E or (byte)'%')
            {
                needs = true;
                break;
            }
        }
        if (!needs)
        {
            return message;
        }
        var sb = new StringBuilder(bytes.Length + 16);
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E or (byte)'%')
            {
                sb.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
            else
            {
                sb.Append((char)b);
            }
        }
        return sb.ToString();
    }

    public static string Decode(string encoded)
    {
        if (!encoded.Contains('%', StringComparison.Ordinal))
        {
            return encoded;
        }
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length && Uri.IsHexDigit(encoded[i + 1]) && Uri.IsHexDigit(encoded[i + 2]))
            {
                bytes.Add((byte)((Uri.FromHex(encoded[i + 1]) << 4) | Uri.FromHex(encoded[i + 2])));
                i += 2;
            }
            else
            {
                bytes.Add((byte)encoded[i]);
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);
}
