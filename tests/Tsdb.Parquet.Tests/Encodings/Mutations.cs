namespace Tsdb.Parquet.Tests.Encodings;

/// <summary>Seeded mutations of valid encodings for the fuzz tests.</summary>
internal static class Mutations
{
    public static byte[] Mutate(byte[] valid, Random rng)
    {
        if (valid.Length == 0 || rng.Next(10) == 0)
        {
            var noise = new byte[rng.Next(0, 64)];
            rng.NextBytes(noise);
            return noise;
        }
        var bytes = (byte[])valid.Clone();
        switch (rng.Next(7))
        {
            case 0:
                return bytes[..rng.Next(bytes.Length)];
            case 1:
                for (var i = rng.Next(1, 4); i > 0; i--)
                {
                    bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                }
                return bytes;
            case 2:
                bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                return bytes;
            case 3:
                // Varints and widths live near the start; hit them with extreme bytes.
                bytes[rng.Next(Math.Min(bytes.Length, 12))] = rng.Next(2) == 0 ? (byte)0xFF : (byte)0x80;
                return bytes;
            case 4:
                {
                    var at = rng.Next(bytes.Length);
                    var extra = new byte[rng.Next(1, 16)];
                    rng.NextBytes(extra);
                    return [.. bytes[..at], .. extra, .. bytes[at..]];
                }
            case 5:
                {
                    var at = rng.Next(bytes.Length);
                    var cut = rng.Next(1, Math.Min(16, bytes.Length - at) + 1);
                    return [.. bytes[..at], .. bytes[(at + cut)..]];
                }
            default:
                for (var i = rng.Next(1, 8); i > 0; i--)
                {
                    bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                }
                return bytes[..rng.Next(bytes.Length + 1)];
        }
    }

    /// <summary>Runs <paramref name="decode"/>; it may succeed or throw <see cref="ParquetFormatException"/>, nothing else.</summary>
    public static bool DecodesOrRejects(Action decode)
    {
        try
        {
            decode();
            return true;
        }
        catch (ParquetFormatException exception)
        {
            Assert.False(string.IsNullOrEmpty(exception.Message));
            return false;
        }
    }
}
