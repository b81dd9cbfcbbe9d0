using System.Buffers.Binary;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Reading;
using Tsdb.Parquet.Writing;

namespace Tsdb.Parquet.Tests;

/// <summary>Mutated and truncated files must produce ParquetFormatException or valid data, never another exception.</summary>
public sealed class ParquetFuzzTests
{
    private static readonly ParquetReadOptions Limits = new() { MaxFooterLength = 1 << 20, MaxPageLength = 1 << 22, MaxChunkLength = 1 << 24 };

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 8)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Mutated_files_fail_only_with_ParquetFormatException(int seed)
    {
        var data = new TestData(seed);
        var batch = data.Batch(TestData.WideSchema, 300, 0);
        var options = new ParquetWriterOptions
        {
            Compression = (CompressionCodec)new[] { 0, 1, 2, 6 }[seed % 4],
            DataPageVersion = 1 + (seed % 2),
            PageRowLimit = 64,
            RowGroupSize = 200,
        };
        var file = ParquetWriter.ToBytes(TestData.WideSchema, [batch], options);
        var rng = data.Rng;
        for (var i = 0; i < 300; i++)
        {
            await ReadMustNotCrash(Mutate(file, rng, headOnly: i % 3 == 0));
        }
        for (var cut = 0; cut < file.Length; cut += Math.Max(1, file.Length / 61))
        {
            await ReadMustNotCrash(file[..cut]);
        }
    }

    private static byte[] Mutate(byte[] original, Random rng, bool headOnly)
    {
        var bytes = (byte[])original.Clone();
        var edits = rng.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            // Half the time aim at the footer, where one byte changes the meaning of everything.
            var at = headOnly || rng.Next(2) == 0 ? rng.Next(bytes.Length) : bytes.Length - 8 - rng.Next(Math.Min(bytes.Length - 8, 2000));
            switch (rng.Next(3))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)rng.Next(256);
                    break;
                default:
                    if (at + 4 <= bytes.Length)
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), rng.Next(3) switch { 0 => -1, 1 => int.MaxValue, _ => rng.Next(0, 1 << 20) });
                    }
                    break;
            }
        }
        return bytes;
    }

    private static async Task ReadMustNotCrash(byte[] bytes)
    {
        try
        {
            var reader = await ParquetReader.OpenAsync(new MemoryRandomAccessSource(bytes), Limits);
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                var batch = await reader.ReadRowGroupAsync(g);
                foreach (var column in batch.Columns)
                {
                    for (var i = 0; i < column.Length; i++)
                    {
                        _ = column.GetObject(i);
                    }
                }
            }
            if (reader.Schema.GetFieldIndex("time") < 0 || reader.Schema.GetFieldIndex("note") < 0)
            {
                return; // a mutation renamed the columns the pruning read asks for
            }
            var selected = reader.SelectRowGroups([new ColumnRange("time", 100L, 200L)]);
            foreach (var g in selected)
            {
                _ = await reader.ReadRowGroupAsync(g, ["time", "note"], [new ColumnRange("time", 100L, 200L)]);
            }
        }
        catch (ParquetFormatException)
        {
        }
    }
}
