using Tsdb.Parquet.IO;
using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Tests.Thrift;

/// <summary>
/// Seeded mutations and truncations of realistic metadata: parsing either succeeds or throws
/// <see cref="ParquetFormatException"/>, and never allocates much more than the input could justify.
/// </summary>
public sealed class ThriftFuzzTests
{
    private const int MutationsPerSeed = 600;

    // Bytes that mean something to the compact protocol: stop, bool, struct and list headers, varint continuations.
    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x0C, 0x0F, 0x19, 0x1C, 0x7F, 0x80, 0xF9, 0xFC, 0xFF];

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 10)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Mutated_file_metadata_parses_or_fails_with_ParquetFormatException(int seed)
    {
        var original = MetadataSamples.RealisticFileMetaData().Serialize();
        var rng = new Random(seed);
        for (var i = 0; i < MutationsPerSeed; i++)
        {
            ParseMustNotCrash(Mutate(original, rng), static bytes => FileMetaData.Parse(bytes), $"FileMetaData seed {seed} #{i}");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Mutated_page_headers_parse_or_fail_with_ParquetFormatException(int seed)
    {
        var rng = new Random(seed);
        byte[][] originals =
        [
            Serialize(MetadataSamples.RealisticPageHeader()),
            Serialize(MetadataSamples.FullPageHeader()),
            Serialize(new PageHeader { Type = PageType.DictionaryPage, UncompressedPageSize = 100, CompressedPageSize = 80, DictionaryPageHeader = MetadataSamples.FullDictionaryPageHeader() }),
        ];
        for (var i = 0; i < MutationsPerSeed / 2; i++)
        {
            var original = originals[i % originals.Length];
            ParseMustNotCrash(Mutate(original, rng), static bytes => PageHeader.Parse(bytes, out _), $"PageHeader seed {seed} #{i}");
        }
    }

    [Fact]
    public void Mutated_page_indexes_parse_or_fail_with_ParquetFormatException()
    {
        var rng = new Random(77);
        var columnIndex = MetadataSamples.FullColumnIndex().Serialize();
        var offsetIndex = MetadataSamples.FullOffsetIndex().Serialize();
        for (var i = 0; i < 1000; i++)
        {
            ParseMustNotCrash(Mutate(columnIndex, rng), static bytes => ColumnIndex.Parse(bytes), $"ColumnIndex #{i}");
            ParseMustNotCrash(Mutate(offsetIndex, rng), static bytes => OffsetIndex.Parse(bytes), $"OffsetIndex #{i}");
        }
    }

    [Fact]
    public void Every_truncation_fails_with_ParquetFormatException()
    {
        // The top-level stop byte is the last one, so no proper prefix can parse.
        var footer = MetadataSamples.RealisticFileMetaData().Serialize();
        for (var length = 0; length < footer.Length; length++)
        {
            var prefix = footer[..length];
            Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(prefix));
        }
        var page = Serialize(MetadataSamples.RealisticPageHeader());
        for (var length = 0; length < page.Length; length++)
        {
            var prefix = page[..length];
            Assert.Throws<ParquetFormatException>(() => PageHeader.Parse(prefix, out _));
        }
    }

    [Fact]
    public void Random_bytes_parse_or_fail_with_ParquetFormatException()
    {
        var rng = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[rng.Next(0, 200)];
            if (i % 2 == 0)
            {
                rng.NextBytes(bytes);
            }
            else
            {
                // Built from protocol-significant bytes, which get much further than uniform noise.
                for (var j = 0; j < bytes.Length; j++)
                {
                    bytes[j] = Interesting[rng.Next(Interesting.Length)];
                }
            }
            ParseMustNotCrash(bytes, static b => FileMetaData.Parse(b), $"random FileMetaData #{i}");
            ParseMustNotCrash(bytes, static b => PageHeader.Parse(b, out _), $"random PageHeader #{i}");
        }
    }

    private static byte[] Serialize(PageHeader header)
    {
        using var buffer = new ByteBuffer();
        header.WriteTo(buffer);
        return buffer.ToArray();
    }

    private static void ParseMustNotCrash(byte[] input, Func<byte[], object> parse, string context)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            parse(input);
        }
        catch (ParquetFormatException)
        {
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{context}: {e.GetType().Name}: {e.Message} for input {Convert.ToHexString(input)}");
        }
        // Lists are sized by counts checked against the bytes left, and every element consumes a byte, so what a
        // parse allocates is bounded by a small multiple of its input.
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= (64 * 1024) + (256L * input.Length), $"{context}: {allocated} bytes allocated for {input.Length} bytes of input");
    }

    internal static byte[] Mutate(byte[] original, Random rng)
    {
        var bytes = new List<byte>(original);
        var mutations = rng.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            var at = rng.Next(bytes.Count + 1);
            switch (rng.Next(8))
            {
                case 0 when bytes.Count > 0: // flip one bit
                    at = rng.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when bytes.Count > 0: // a protocol-significant byte
                    bytes[rng.Next(bytes.Count)] = Interesting[rng.Next(Interesting.Length)];
                    break;
                case 2 when bytes.Count > 0: // any byte
                    bytes[rng.Next(bytes.Count)] = (byte)rng.Next(256);
                    break;
                case 3: // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4: // insert random bytes
                    var inserted = new byte[rng.Next(1, 8)];
                    rng.NextBytes(inserted);
                    bytes.InsertRange(at, inserted);
                    break;
                case 5: // delete a range
                    bytes.RemoveRange(at, Math.Min(rng.Next(1, 16), bytes.Count - at));
                    break;
                case 6 when bytes.Count > 0: // copy a range elsewhere (repeats structs and lists)
                    var from = rng.Next(bytes.Count);
                    var length = Math.Min(rng.Next(1, 64), bytes.Count - from);
                    bytes.InsertRange(at, bytes.GetRange(from, length));
                    break;
                case 7: // a run of varint continuation bytes: long varints and huge lengths
                    bytes.InsertRange(at, Enumerable.Repeat(rng.Next(2) == 0 ? (byte)0xFF : (byte)0x80, rng.Next(1, 12)));
                    break;
            }
        }
        return [.. bytes];
    }
}
