using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Tests;

public sealed class IpcRoundTripTests
{
    public static TheoryData<int, IpcCompression> Seeds()
    {
        var data = new TheoryData<int, IpcCompression>();
        for (var seed = 1; seed <= 40; seed++)
        {
            data.Add(seed, seed % 3 == 0 ? IpcCompression.Zstd : seed % 3 == 1 && seed % 2 == 0 ? IpcCompression.Lz4Frame : IpcCompression.None);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_batches_survive_stream_and_file_round_trips(int seed, IpcCompression compression)
    {
        var random = new RandomBatches(seed);
        var schema = random.NextSchema();
        var batches = new List<RecordBatch>();
        var count = random.Rng.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            batches.Add(random.NextBatch(schema, random.Rng.Next(4) == 0 ? 0 : random.Rng.Next(1, 300)));
        }
        var expected = ArrowCanonicalJson.Serialize(schema, batches);
        var options = new IpcWriteOptions { Compression = compression };

        var stream = ArrowStreamWriter.ToBytes(schema, batches, options);
        AssertRead(expected, schema, new ArrowStreamReader(stream));
        AssertRead(expected, schema, new ArrowStreamReader(new MemoryStream(stream)));

        // The file format cannot replace dictionaries; random batches each bring their own, so write one file per batch.
        foreach (var batch in batches.Take(1))
        {
            var file = ArrowFileWriter.ToBytes(schema, [batch], options);
            var reader = new ArrowFileReader(file);
            Assert.Equal(ArrowCanonicalJson.Serialize(schema, [batch]), ArrowCanonicalJson.Serialize(reader.Schema, reader.ReadAll().ToList()));
        }
    }

    private static void AssertRead(string expected, Schema schema, ArrowStreamReader reader)
    {
        Assert.True(reader.Schema.IsEquivalentTo(schema));
        var batches = reader.ReadAll().ToList();
        Assert.Equal(expected, ArrowCanonicalJson.Serialize(reader.Schema, batches));
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(3, 50)]
    [InlineData(8, 17)]
    [InlineData(13, 0)]
    [InlineData(99, 1)]
    public void Slices_are_written_as_their_own_values(int offset, int length)
    {
        var random = new RandomBatches(7);
        var schema = new Schema(
        [
            new Field("b", ArrowType.Boolean), new Field("s", ArrowType.Utf8), new Field("i", ArrowType.Int64),
            new Field("d", ArrowType.DictionaryUtf8), new Field("n", ArrowType.Null), new Field("f", ArrowType.Float64),
        ]);
        var batch = random.NextBatch(schema, 100);
        var slice = batch.Slice(offset, length);
        var expected = ArrowCanonicalJson.Serialize(schema, [slice]);

        var bytes = ArrowStreamWriter.ToBytes(schema, [slice]);
        var read = new ArrowStreamReader(bytes).ReadAll().ToList();

        Assert.Equal(expected, ArrowCanonicalJson.Serialize(schema, read));
        for (var c = 0; c < schema.FieldCount; c++)
        {
            Assert.True(ArrayComparer.Equals(slice.Column(c).Data, read[0].Column(c).Data), $"column {schema[c].Name}");
        }
    }

    [Fact]
    public void Growing_dictionary_is_sent_as_deltas_and_a_changed_one_as_a_replacement()
    {
        var schema = new Schema([new Field("tag", ArrowType.DictionaryUtf8)]);
        // One builder kept across batches would repeat its values; emulate a buffer whose dictionary only grows.
        var first = Batch(schema, ["a", "b"], ["a", "b", "a"]);
        var grown = Batch(schema, ["a", "b", "c"], ["c", null, "a"]);
        var replaced = Batch(schema, ["z"], ["z", "z"]);

        var bytes = ArrowStreamWriter.ToBytes(schema, [first, grown, replaced]);
        var batches = new ArrowStreamReader(bytes).ReadAll().ToList();

        Assert.Equal(ArrowCanonicalJson.Serialize(schema, [first, grown, replaced]), ArrowCanonicalJson.Serialize(schema, batches));
        Assert.Equal(3, ((DictionaryArray)batches[1].Column(0)).Dictionary.Length);
        Assert.Equal(1, ((DictionaryArray)batches[2].Column(0)).Dictionary.Length);

        // A delta carries only the new values: with a large dictionary, far fewer bytes than resending it.
        var words = Enumerable.Range(0, 1000).Select(i => $"host-{i:D5}").ToArray();
        var big = Batch(schema, words, ["host-00001"]);
        var bigger = Batch(schema, [.. words, "new-host"], ["new-host"]);
        var withDeltas = ArrowStreamWriter.ToBytes(schema, [big, bigger]);
        var withoutDeltas = ArrowStreamWriter.ToBytes(schema, [big, bigger], new IpcWriteOptions { EmitDictionaryDeltas = false });
        Assert.True(withoutDeltas.Length - withDeltas.Length > 10_000, $"{withDeltas.Length} vs {withoutDeltas.Length}");
        Assert.Equal(ArrowCanonicalJson.Serialize(schema, [big, bigger]), ArrowCanonicalJson.Serialize(schema, new ArrowStreamReader(withDeltas).ReadAll().ToList()));
    }

    [Fact]
    public void File_format_refuses_to_replace_a_dictionary_but_accepts_deltas()
    {
        var schema = new Schema([new Field("tag", ArrowType.DictionaryUtf8)]);
        var first = Batch(schema, ["a"], ["a"]);
        var grown = Batch(schema, ["a", "b"], ["b", "a"]);
        var file = ArrowFileWriter.ToBytes(schema, [first, grown]);
        var reader = new ArrowFileReader(file);
        Assert.Equal(2, reader.RecordBatchCount);
        Assert.Equal("b", ((DictionaryArray)reader.ReadRecordBatch(1).Column(0)).GetObject(0));

        using var stream = new MemoryStream();
        using var writer = new ArrowFileWriter(stream, schema, leaveOpen: true);
        writer.WriteBatch(first);
        var error = Assert.Throws<InvalidOperationException>(() => writer.WriteBatch(Batch(schema, ["q"], ["q"])));
        Assert.Contains("cannot replace a dictionary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_only_stream_and_file_are_valid()
    {
        var schema = new Schema([new Field("time", ArrowType.TimestampNanosecond, nullable: false)], [new("k", "v")]);
        var stream = ArrowStreamWriter.ToBytes(schema, []);
        using var reader = new ArrowStreamReader(stream);
        Assert.True(reader.Schema.IsEquivalentTo(schema));
        Assert.Null(reader.ReadNextBatch());
        var file = new ArrowFileReader(ArrowFileWriter.ToBytes(schema, []));
        Assert.Equal(0, file.RecordBatchCount);
        Assert.Equal("v", file.Schema.GetMetadata("k"));
    }

    [Fact]
    public async Task Async_reader_and_writer_agree_with_the_synchronous_ones()
    {
        var random = new RandomBatches(99);
        var schema = random.NextSchema();
        var batches = new[] { random.NextBatch(schema, 10), random.NextBatch(schema, 20) };
        using var memory = new MemoryStream();
        await using (var writer = new ArrowStreamWriter(memory, schema, leaveOpen: true))
        {
            foreach (var b in batches)
            {
                await writer.WriteBatchAsync(b);
            }
            await writer.FinishAsync();
        }
        Assert.Equal(ArrowStreamWriter.ToBytes(schema, batches), memory.ToArray());
        memory.Position = 0;
        using var reader = new ArrowStreamReader(memory);
        var read = new List<RecordBatch>();
        while (await reader.ReadNextBatchAsync() is { } batch)
        {
            read.Add(batch);
        }
        Assert.Equal(ArrowCanonicalJson.Serialize(schema, batches), ArrowCanonicalJson.Serialize(schema, read));
    }

    [Theory]
    [InlineData(IpcCompression.Zstd)]
    [InlineData(IpcCompression.Lz4Frame)]
    public void Compression_shrinks_repetitive_data_and_round_trips(IpcCompression compression)
    {
        var schema = new Schema([new Field("v", ArrowType.Int64)]);
        using var builder = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        for (var i = 0; i < 100_000; i++)
        {
            builder.Append(i % 10);
        }
        var batch = new RecordBatch(schema, [builder.Build()], 100_000);
        var plain = ArrowStreamWriter.ToBytes(schema, [batch]);
        var compressed = ArrowStreamWriter.ToBytes(schema, [batch], new IpcWriteOptions { Compression = compression });
        Assert.True(compressed.Length * 20 < plain.Length, $"{compressed.Length} vs {plain.Length}");
        var read = new ArrowStreamReader(compressed).ReadAll().Single();
        Assert.True(ArrayComparer.Equals(batch.Column(0).Data, read.Column(0).Data));
    }

    internal static RecordBatch Batch(Schema schema, string[] dictionary, string?[] values)
    {
        // Builds indices against a given dictionary, so tests control exactly what the dictionary holds.
        var dict = new VariableWidthArrayBuilder(ArrowType.Utf8);
        foreach (var d in dictionary)
        {
            dict.Append(d);
        }
        var dictData = dict.BuildData();
        var indices = new PrimitiveArrayBuilder<int>(ArrowType.Int32);
        foreach (var v in values)
        {
            indices.Append(v is null ? null : Array.IndexOf(dictionary, v));
        }
        var indexData = indices.BuildData();
        var data = new ArrayData(ArrowType.DictionaryUtf8, values.Length, indexData.NullCount, indexData.Buffers, dictionary: dictData);
        return new RecordBatch(schema, [ArrowArray.Create(data)], values.Length);
    }
}
