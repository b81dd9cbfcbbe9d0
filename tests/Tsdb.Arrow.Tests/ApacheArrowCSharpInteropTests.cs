using System.Buffers.Binary;
using System.Text;
using Apache.Arrow.Compression;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;
using AA = Apache.Arrow;
using AI = Apache.Arrow.Ipc;
using AT = Apache.Arrow.Types;

namespace Tsdb.Arrow.Tests;

/// <summary>
/// Our IPC against Apache.Arrow (C#), a third implementation beside ours and apache-arrow (npm), in both directions
/// and with every codec it has (none, ZSTD, LZ4_FRAME). Values are compared through canonical JSON built from each
/// library's own accessors.
/// </summary>
public sealed class ApacheArrowCSharpInteropTests
{
    private static readonly CompressionCodecFactory Codecs = new();

    public static TheoryData<IpcCompression> Compressions() => [IpcCompression.None, IpcCompression.Zstd, IpcCompression.Lz4Frame];

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Apache_arrow_reads_every_type_we_write(IpcCompression compression)
    {
        var options = new IpcWriteOptions { Compression = compression };
        var schema = EveryTypeSchema();
        var full = EveryTypeBatch(schema, 300, seed: 1);
        // Empty batches, and slices at offsets that are not a multiple of 8 (validity and boolean bits get shifted,
        // offsets rebased).
        List<RecordBatch> batches = [full, EveryTypeBatch(schema, 0, seed: 2), full.Slice(3, 100), full.Slice(299, 1), full.Slice(150, 0)];
        // Each batch above brings its own dictionary, so the stream replaces it; the file cannot, so it gets one batch.
        AssertApacheReadsStream(schema, batches, options);
        AssertApacheReadsFile(schema, [full.Slice(5, 250)], options);
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Apache_arrow_reads_random_batches_we_write(IpcCompression compression)
    {
        var options = new IpcWriteOptions { Compression = compression };
        for (var seed = 1; seed <= 16; seed++)
        {
            var random = new RandomBatches(seed * 17);
            var schema = random.NextSchema();
            var batches = Enumerable.Range(0, random.Rng.Next(1, 4)).Select(_ => random.NextBatch(schema, random.Rng.Next(4) == 0 ? 0 : random.Rng.Next(1, 200))).ToList();
            AssertApacheReadsStream(schema, batches, options);
            AssertApacheReadsFile(schema, batches.Take(1).ToList(), options);
        }
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Apache_arrow_reads_our_dictionary_deltas(IpcCompression compression)
    {
        var options = new IpcWriteOptions { Compression = compression };
        var schema = new Schema([new Field("host", ArrowType.DictionaryUtf8, true, [new("iox::column::type", "iox::column_type::tag")]), new Field("v", ArrowType.Float64)]);
        string[] d1 = ["a", "b"], d2 = ["a", "b", "c", "ü"], d3 = ["a", "b", "c", "ü", "日本語", ""];
        List<RecordBatch> growing =
        [
            TagBatch(schema, d1, ["a", "b", null]),
            TagBatch(schema, d2, ["ü", "c", "a"]),
            TagBatch(schema, d2, []),
            TagBatch(schema, d3, ["日本語", "", null, "b"]),
        ];
        var stream = ArrowStreamWriter.ToBytes(schema, growing, options);
        // The writer really sent deltas (not replacements) for the later batches.
        Assert.Equal(2, CountDeltaDictionaryBatches(stream));
        AssertApacheReadsStream(schema, growing, options);
        AssertApacheReadsFile(schema, growing, options);
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void We_read_what_apache_arrow_writes(IpcCompression compression)
    {
        var (schema, batches) = ApacheBatches();
        var options = ApacheOptions(compression);
        var expected = ApacheCanonicalJson.Serialize(schema, batches);

        var stream = new MemoryStream();
        using (var writer = new AI.ArrowStreamWriter(stream, schema, leaveOpen: true, options))
        {
            foreach (var batch in batches)
            {
                writer.WriteRecordBatch(batch);
            }
            writer.WriteEnd();
        }
        using (var reader = new ArrowStreamReader(new MemoryStream(stream.ToArray())))
        {
            Assert.Equal(expected, ArrowCanonicalJson.Serialize(reader.Schema, reader.ReadAll().ToList()));
        }
        var fromMemory = new ArrowStreamReader(stream.ToArray());
        Assert.Equal(expected, ArrowCanonicalJson.Serialize(fromMemory.Schema, fromMemory.ReadAll().ToList()));

        var file = new MemoryStream();
        using (var writer = new AI.ArrowFileWriter(file, schema, leaveOpen: true, options))
        {
            foreach (var batch in batches)
            {
                writer.WriteRecordBatch(batch);
            }
            writer.WriteEnd();
        }
        var fileReader = new ArrowFileReader(file.ToArray());
        Assert.Equal(expected, ArrowCanonicalJson.Serialize(fileReader.Schema, fileReader.ReadAll().ToList()));
    }

    /// <summary>
    /// Observed with Apache.Arrow 23.0.0: its stream and file writers send the first dictionary a field has and then
    /// neither a delta nor a replacement, so later batches' indices point into the first dictionary. Its own reader
    /// then yields the first dictionary's values, and does not check indices (an index past the end comes back as it
    /// is). Ours checks every index against the dictionary it has, so it refuses such a batch instead of answering
    /// wrong values. If this test starts failing, Apache.Arrow changed how it writes dictionaries: look again.
    /// </summary>
    [Fact]
    public void Apache_arrow_writers_send_only_the_first_dictionary()
    {
        var type = new AT.DictionaryType(AT.Int32Type.Default, AT.StringType.Default, false);
        var schema = new AA.Schema([new AA.Field("host", type, true, null)], null);
        AA.RecordBatch Batch(string[] dictionary, int[] indices) => new(schema,
            [new AA.DictionaryArray(type, new AA.Int32Array.Builder().AppendRange(indices).Build(), new AA.StringArray.Builder().AppendRange(dictionary).Build())],
            indices.Length);
        var stream = new MemoryStream();
        using (var writer = new AI.ArrowStreamWriter(stream, schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(Batch(["a", "b"], [0, 1]));
            writer.WriteRecordBatch(Batch(["c", "d", "e"], [0, 2]));
            writer.WriteEnd();
        }
        using var reader = new ArrowStreamReader(new MemoryStream(stream.ToArray()));
        var first = reader.ReadNextBatch()!;
        Assert.Equal(["a", "b"], Enumerable.Range(0, 2).Select(i => first.Column(0).GetObject(i)));
        var error = Assert.Throws<ArrowFormatException>(() => reader.ReadNextBatch());
        Assert.Equal("field 'host': dictionary index 2 at row 1 outside a dictionary of 2", error.Message);
    }

    [Theory]
    [InlineData(IpcCompression.Zstd)]
    [InlineData(IpcCompression.Lz4Frame)]
    public void Empty_buffers_from_apache_arrow_have_a_zero_length_prefix_and_read_as_empty(IpcCompression compression)
    {
        // Apache.Arrow compresses an empty buffer into the 8-byte prefix 0 alone (no frame). A batch with no rows
        // gives every buffer that shape; a column without nulls gives it for its validity buffer.
        var schema = new AA.Schema([new AA.Field("v", AT.Int64Type.Default, true, null), new AA.Field("s", AT.StringType.Default, true, null)], null);
        var empty = new AA.RecordBatch(schema, [new AA.Int64Array.Builder().Build(), new AA.StringArray.Builder().Build()], 0);
        var full = new AA.RecordBatch(schema, [new AA.Int64Array.Builder().AppendRange([1, 2, 3]).Build(), new AA.StringArray.Builder().Append("x").AppendNull().Append("yz").Build()], 3);
        var stream = new MemoryStream();
        using (var writer = new AI.ArrowStreamWriter(stream, schema, leaveOpen: true, ApacheOptions(compression)))
        {
            writer.WriteRecordBatch(empty);
            writer.WriteRecordBatch(full);
            writer.WriteEnd();
        }
        var bytes = stream.ToArray();
        Assert.True(ContainsBufferWithZeroPrefix(bytes), "Apache.Arrow no longer writes the zero-length prefix; this test lost its subject");

        var batches = new ArrowStreamReader(bytes).ReadAll().ToList();
        Assert.Equal([0, 3], batches.Select(b => b.Length));
        Assert.Equal(ApacheCanonicalJson.Serialize(schema, [empty, full]), ArrowCanonicalJson.Serialize(batches[0].Schema, batches));
    }

    [Fact]
    public void Corrupt_lz4_frames_fail_with_ArrowFormatException()
    {
        var (schema, batches) = ApacheBatches();
        var stream = new MemoryStream();
        using (var writer = new AI.ArrowStreamWriter(stream, schema, leaveOpen: true, ApacheOptions(IpcCompression.Lz4Frame)))
        {
            writer.WriteRecordBatch(batches[0]);
            writer.WriteEnd();
        }
        var bytes = stream.ToArray();
        var rng = new Random(7);
        var failures = 0;
        for (var i = 0; i < 300; i++)
        {
            var mutated = (byte[])bytes.Clone();
            // Flip bytes past the schema message, where the compressed buffers are.
            for (var k = 0; k < 3; k++)
            {
                mutated[rng.Next(bytes.Length / 2, bytes.Length)] ^= (byte)rng.Next(1, 256);
            }
            try
            {
                _ = new ArrowStreamReader(mutated).ReadAll().ToList();
            }
            catch (ArrowFormatException)
            {
                failures++;
            }
        }
        Assert.True(failures > 0, "no mutation was detected at all");
    }

    private static AI.IpcOptions ApacheOptions(IpcCompression compression) => new()
    {
        CompressionCodec = compression switch
        {
            IpcCompression.Zstd => AI.CompressionCodecType.Zstd,
            IpcCompression.Lz4Frame => AI.CompressionCodecType.Lz4Frame,
            _ => null,
        },
        CompressionCodecFactory = Codecs,
    };

    private static void AssertApacheReadsStream(Schema schema, IReadOnlyList<RecordBatch> batches, IpcWriteOptions options)
    {
        var bytes = ArrowStreamWriter.ToBytes(schema, batches, options);
        var expected = ArrowCanonicalJson.Serialize(schema, batches);
        using var reader = new AI.ArrowStreamReader(new MemoryStream(bytes), Codecs);
        var read = ReadAll(reader);
        Assert.Equal(expected, ApacheCanonicalJson.Serialize(reader.Schema, read));
    }

    private static void AssertApacheReadsFile(Schema schema, IReadOnlyList<RecordBatch> batches, IpcWriteOptions options)
    {
        var bytes = ArrowFileWriter.ToBytes(schema, batches, options);
        var expected = ArrowCanonicalJson.Serialize(schema, batches);
        using var reader = new AI.ArrowFileReader(new MemoryStream(bytes), Codecs);
        var read = ReadAll(reader);
        Assert.Equal(expected, ApacheCanonicalJson.Serialize(reader.Schema, read));
    }

    private static List<AA.RecordBatch> ReadAll(AI.ArrowStreamReader reader)
    {
        var batches = new List<AA.RecordBatch>();
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            batches.Add(batch);
        }
        return batches;
    }

    private static Schema EveryTypeSchema()
    {
        KeyValuePair<string, string>[] tag = [new("iox::column::type", "iox::column_type::tag")];
        return new Schema(
            [
                new Field("time", ArrowType.TimestampNanosecond, nullable: false, [new("iox::column::type", "iox::column_type::timestamp")]),
                new Field("time_utc", ArrowType.Timestamp(TimeUnit.Nanosecond, "UTC")),
                new Field("time_ms_paris", ArrowType.Timestamp(TimeUnit.Millisecond, "Europe/Paris")),
                new Field("host", ArrowType.DictionaryUtf8, true, tag),
                new Field("i8", ArrowType.Int8), new Field("i16", ArrowType.Int16), new Field("i32", ArrowType.Int32), new Field("i64", ArrowType.Int64),
                new Field("u8", ArrowType.UInt8), new Field("u16", ArrowType.UInt16), new Field("u32", ArrowType.UInt32), new Field("u64", ArrowType.UInt64),
                new Field("f32", ArrowType.Float32), new Field("f64", ArrowType.Float64, true, [new("iox::column::type", "iox::column_type::field::float")]),
                new Field("flag", ArrowType.Boolean), new Field("s", ArrowType.Utf8), new Field("b", ArrowType.Binary),
                new Field("ls", ArrowType.LargeUtf8), new Field("lb", ArrowType.LargeBinary), new Field("nothing", ArrowType.Null),
            ],
            [new("origin", "tsdb")]);
    }

    /// <summary>One column of each type, about a quarter nulls (none in <c>time</c>), extremes included.</summary>
    internal static RecordBatch EveryTypeBatch(Schema schema, int rows, int seed)
    {
        var rng = new Random(seed);
        bool Null() => rng.Next(4) == 0;
        ArrowArray Fixed<T>(ArrowType type, Func<int, T> value, bool nullable = true) where T : unmanaged
        {
            using var b = new PrimitiveArrayBuilder<T>(type);
            for (var i = 0; i < rows; i++)
            {
                if (nullable && Null())
                {
                    b.AppendNull();
                }
                else
                {
                    b.Append(value(i));
                }
            }
            return b.Build();
        }
        string Word(int i) => (i % 5) switch { 0 => "", 1 => "zażółć", 2 => "日本語 😀", 3 => new string('x', 70), _ => $"host-{i % 13}" };
        var columns = new List<ArrowArray>
        {
            Fixed(ArrowType.TimestampNanosecond, i => 1_700_000_000_123_456_789 + (i * 1_000_000_007L), nullable: false),
            Fixed(ArrowType.Timestamp(TimeUnit.Nanosecond, "UTC"), i => i % 7 == 0 ? long.MinValue + i : long.MaxValue - i),
            Fixed(ArrowType.Timestamp(TimeUnit.Millisecond, "Europe/Paris"), i => -86_400_000L + i),
        };
        using (var host = new DictionaryArrayBuilder())
        {
            for (var i = 0; i < rows; i++)
            {
                host.Append(Null() ? null : Word(rng.Next(20)));
            }
            columns.Add(host.Build());
        }
        columns.Add(Fixed(ArrowType.Int8, i => (sbyte)rng.Next(-128, 128)));
        columns.Add(Fixed(ArrowType.Int16, i => (short)rng.Next(short.MinValue, short.MaxValue + 1)));
        columns.Add(Fixed(ArrowType.Int32, i => i % 11 == 0 ? int.MinValue : rng.Next()));
        columns.Add(Fixed(ArrowType.Int64, i => i % 11 == 0 ? long.MaxValue : rng.NextInt64(long.MinValue, long.MaxValue)));
        columns.Add(Fixed(ArrowType.UInt8, i => (byte)rng.Next(256)));
        columns.Add(Fixed(ArrowType.UInt16, i => (ushort)rng.Next(65536)));
        columns.Add(Fixed(ArrowType.UInt32, i => i % 9 == 0 ? uint.MaxValue : (uint)rng.NextInt64(0, uint.MaxValue)));
        columns.Add(Fixed(ArrowType.UInt64, i => i % 9 == 0 ? ulong.MaxValue : (ulong)rng.NextInt64()));
        columns.Add(Fixed(ArrowType.Float32, i => i % 10 == 0 ? float.NaN : (float)(rng.NextDouble() - 0.5)));
        columns.Add(Fixed(ArrowType.Float64, i => (i % 6) switch { 0 => double.NaN, 1 => -0.0, 2 => double.NegativeInfinity, 3 => double.Epsilon, _ => rng.NextDouble() * 1e300 }));
        using (var flag = new BooleanArrayBuilder())
        {
            for (var i = 0; i < rows; i++)
            {
                flag.Append(Null() ? null : rng.Next(2) == 0);
            }
            columns.Add(flag.Build());
        }
        foreach (var type in new[] { ArrowType.Utf8, ArrowType.Binary })
        {
            using var b = new VariableWidthArrayBuilder(type);
            for (var i = 0; i < rows; i++)
            {
                if (Null())
                {
                    b.AppendNull();
                }
                else
                {
                    b.Append(type == ArrowType.Utf8 ? Encoding.UTF8.GetBytes(Word(i)) : [(byte)i, 0, 255, (byte)rng.Next(256)]);
                }
            }
            columns.Add(b.Build());
        }
        columns.Add(Large(ArrowType.LargeUtf8, rows, rng, i => Encoding.UTF8.GetBytes(Word(i + 1))));
        columns.Add(Large(ArrowType.LargeBinary, rows, rng, i => [(byte)(i * 7), 1, 2]));
        columns.Add(new NullArray(rows));
        return new RecordBatch(schema, columns, rows);
    }

    /// <summary>LargeUtf8/LargeBinary by hand: the builders make only the 32-bit-offset types.</summary>
    private static ArrowArray Large(ArrowType type, int rows, Random rng, Func<int, byte[]> value)
    {
        var offsets = new byte[(rows + 1) * 8];
        var validity = new byte[BitUtil.BytesFor(rows)];
        var data = new List<byte>();
        var nulls = 0;
        for (var i = 0; i < rows; i++)
        {
            if (rng.Next(4) == 0)
            {
                nulls++;
            }
            else
            {
                BitUtil.SetBit(validity, i);
                data.AddRange(value(i));
            }
            BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan((i + 1) * 8), data.Count);
        }
        return ArrowArray.Create(new ArrayData(type, rows, nulls, [validity, offsets, data.ToArray()]));
    }

    private static RecordBatch TagBatch(Schema schema, string[] dictionary, string?[] values)
    {
        var tag = IpcRoundTripTests.Batch(new Schema([schema[0]]), dictionary, values).Column(0);
        using var v = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        for (var i = 0; i < values.Length; i++)
        {
            v.Append(i * 1.5);
        }
        return new RecordBatch(schema, [tag, v.Build()], values.Length);
    }

    /// <summary>Delta dictionary batches in a stream, counted with our own message parser.</summary>
    private static int CountDeltaDictionaryBatches(byte[] stream)
    {
        var count = 0;
        var position = 0;
        while (position + 8 <= stream.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(stream.AsSpan(position + 4));
            if (length == 0)
            {
                break;
            }
            var metadata = stream.AsMemory(position + 8, length);
            var (type, header, bodyLength) = IpcDecoder.ParseMessage(metadata);
            if (type == MessageHeaderType.DictionaryBatch && header.GetBool(2))
            {
                count++;
            }
            position += 8 + length + (int)bodyLength;
        }
        return count;
    }

    /// <summary>True when some compressed buffer of a record batch is exactly the 8-byte prefix 0.</summary>
    private static bool ContainsBufferWithZeroPrefix(byte[] stream)
    {
        var position = 0;
        while (position + 8 <= stream.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(stream.AsSpan(position + 4));
            if (length == 0)
            {
                break;
            }
            var metadata = stream.AsMemory(position + 8, length);
            var (type, header, bodyLength) = IpcDecoder.ParseMessage(metadata);
            var body = stream.AsSpan(position + 8 + length, (int)bodyLength);
            if (type == MessageHeaderType.RecordBatch)
            {
                var (start, buffers) = header.GetVector(2, 16);
                for (var i = 0; i < buffers; i++)
                {
                    var offset = header.ReadLongAt(start + (i * 16));
                    var size = header.ReadLongAt(start + (i * 16) + 8);
                    if (size == 8 && BinaryPrimitives.ReadInt64LittleEndian(body[(int)offset..]) == 0)
                    {
                        return true;
                    }
                }
            }
            position += 8 + length + (int)bodyLength;
        }
        return false;
    }

    /// <summary>
    /// Batches built with Apache.Arrow's builders: every type both libraries have, nulls, an empty batch, and a
    /// dictionary column whose dictionary is the same object in every batch. Different dictionaries per batch are
    /// not round-tripped: see <see cref="Apache_arrow_writers_send_only_the_first_dictionary"/>.
    /// </summary>
    private static (AA.Schema Schema, List<AA.RecordBatch> Batches) ApacheBatches()
    {
        var dictionary = new AA.StringArray.Builder().Append("host-a").Append("zażółć").Append("").Append("日本語").Build();
        var dictionaryType = new AT.DictionaryType(AT.Int32Type.Default, AT.StringType.Default, false);
        var schema = new AA.Schema(
            [
                new AA.Field("time", new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null), false, [new("iox::column::type", "iox::column_type::timestamp")]),
                new AA.Field("time_tz", new AT.TimestampType(AT.TimeUnit.Microsecond, "UTC"), true, null),
                new AA.Field("host", dictionaryType, true, [new("iox::column::type", "iox::column_type::tag")]),
                new AA.Field("i8", AT.Int8Type.Default, true, null), new AA.Field("i16", AT.Int16Type.Default, true, null),
                new AA.Field("i32", AT.Int32Type.Default, true, null), new AA.Field("i64", AT.Int64Type.Default, true, null),
                new AA.Field("u8", AT.UInt8Type.Default, true, null), new AA.Field("u16", AT.UInt16Type.Default, true, null),
                new AA.Field("u32", AT.UInt32Type.Default, true, null), new AA.Field("u64", AT.UInt64Type.Default, true, null),
                new AA.Field("f32", AT.FloatType.Default, true, null), new AA.Field("f64", AT.DoubleType.Default, true, null),
                new AA.Field("flag", AT.BooleanType.Default, true, null), new AA.Field("s", AT.StringType.Default, true, null),
                new AA.Field("b", AT.BinaryType.Default, true, null), new AA.Field("ls", AT.LargeStringType.Default, true, null),
                new AA.Field("lb", AT.LargeBinaryType.Default, true, null), new AA.Field("nothing", AT.NullType.Default, true, null),
                new AA.Field("all_null", AT.DoubleType.Default, true, null),
            ],
            [new("origin", "apache-arrow-csharp")]);
        var batches = new List<AA.RecordBatch>();
        foreach (var (rows, seed) in new[] { (200, 1), (0, 2), (77, 3) })
        {
            batches.Add(ApacheBatch(schema, dictionary, rows, seed));
        }
        return (schema, batches);
    }

    private static AA.RecordBatch ApacheBatch(AA.Schema schema, AA.StringArray dictionary, int rows, int seed)
    {
        var rng = new Random(seed);
        bool Null() => rng.Next(4) == 0;
        var time = new AA.Int64Array.Builder();
        var timeTz = new AA.Int64Array.Builder();
        var indices = new AA.Int32Array.Builder();
        var i8 = new AA.Int8Array.Builder();
        var i16 = new AA.Int16Array.Builder();
        var i32 = new AA.Int32Array.Builder();
        var i64 = new AA.Int64Array.Builder();
        var u8 = new AA.UInt8Array.Builder();
        var u16 = new AA.UInt16Array.Builder();
        var u32 = new AA.UInt32Array.Builder();
        var u64 = new AA.UInt64Array.Builder();
        var f32 = new AA.FloatArray.Builder();
        var f64 = new AA.DoubleArray.Builder();
        var flag = new AA.BooleanArray.Builder();
        var s = new AA.StringArray.Builder();
        var b = new AA.BinaryArray.Builder();
        var ls = new AA.LargeStringArray.Builder();
        var lb = new AA.LargeBinaryArray.Builder();
        var allNull = new AA.DoubleArray.Builder();
        for (var i = 0; i < rows; i++)
        {
            time.Append(1_700_000_000_000_000_001 + (i * 10_000_000_000L));
            if (Null()) { timeTz.AppendNull(); } else { timeTz.Append(-1_000_000L * i); }
            if (Null()) { indices.AppendNull(); } else { indices.Append(rng.Next(dictionary.Length)); }
            if (Null()) { i8.AppendNull(); } else { i8.Append((sbyte)rng.Next(-128, 128)); }
            if (Null()) { i16.AppendNull(); } else { i16.Append((short)rng.Next(short.MinValue, short.MaxValue + 1)); }
            if (Null()) { i32.AppendNull(); } else { i32.Append(i % 9 == 0 ? int.MinValue : rng.Next()); }
            if (Null()) { i64.AppendNull(); } else { i64.Append(i % 9 == 0 ? long.MaxValue : rng.NextInt64(long.MinValue, long.MaxValue)); }
            if (Null()) { u8.AppendNull(); } else { u8.Append((byte)rng.Next(256)); }
            if (Null()) { u16.AppendNull(); } else { u16.Append((ushort)rng.Next(65536)); }
            if (Null()) { u32.AppendNull(); } else { u32.Append(i % 7 == 0 ? uint.MaxValue : (uint)rng.NextInt64(0, uint.MaxValue)); }
            if (Null()) { u64.AppendNull(); } else { u64.Append(i % 7 == 0 ? ulong.MaxValue : (ulong)rng.NextInt64()); }
            if (Null()) { f32.AppendNull(); } else { f32.Append(i % 5 == 0 ? float.NaN : (float)rng.NextDouble()); }
            if (Null()) { f64.AppendNull(); } else { f64.Append(i % 5 == 0 ? -0.0 : rng.NextDouble() * 1e-300); }
            if (Null()) { flag.AppendNull(); } else { flag.Append(rng.Next(2) == 0); }
            if (Null()) { s.AppendNull(); } else { s.Append(i % 3 == 0 ? "" : $"värde-{i} 😀"); }
            if (Null()) { b.AppendNull(); } else { b.Append([(byte)i, 0, 255]); }
            if (Null()) { ls.AppendNull(); } else { ls.Append($"large-{i}"); }
            if (Null()) { lb.AppendNull(); } else { lb.Append([(byte)(i * 3)]); }
            allNull.AppendNull();
        }
        var columns = new AA.IArrowArray[]
        {
            Timestamp((AT.TimestampType)schema.FieldsList[0].DataType, time.Build()),
            Timestamp((AT.TimestampType)schema.FieldsList[1].DataType, timeTz.Build()),
            new AA.DictionaryArray((AT.DictionaryType)schema.FieldsList[2].DataType, indices.Build(), dictionary),
            i8.Build(), i16.Build(), i32.Build(), i64.Build(), u8.Build(), u16.Build(), u32.Build(), u64.Build(),
            f32.Build(), f64.Build(), flag.Build(), s.Build(), b.Build(), ls.Build(), lb.Build(),
            new AA.NullArray(rows), allNull.Build(),
        };
        return new AA.RecordBatch(schema, columns, rows);
    }

    /// <summary>Exact nanosecond values: Apache.Arrow's timestamp builder goes through DateTimeOffset (100 ns ticks).</summary>
    private static AA.TimestampArray Timestamp(AT.TimestampType type, AA.Int64Array values) =>
        new(new AA.ArrayData(type, values.Length, values.NullCount, values.Offset, values.Data.Buffers, []));
}
