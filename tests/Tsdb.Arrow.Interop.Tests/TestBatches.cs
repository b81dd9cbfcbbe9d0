using System.Buffers.Binary;
using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Interop.Tests;

/// <summary>A Tsdb.Arrow batch with one column of every type, nulls in all but <c>time</c>, and metadata.</summary>
internal static class TestBatches
{
    public static Schema EveryTypeSchema { get; } = new(
        [
            new Field("time", ArrowType.TimestampNanosecond, nullable: false, [new("iox::column::type", "iox::column_type::timestamp")]),
            new Field("time_utc", ArrowType.Timestamp(TimeUnit.Nanosecond, "UTC")),
            new Field("time_s", ArrowType.Timestamp(TimeUnit.Second, "+05:30")),
            new Field("host", ArrowType.DictionaryUtf8, true, [new("iox::column::type", "iox::column_type::tag"), new("z", "last"), new("a", "first")]),
            new Field("small_dict", ArrowType.Dictionary(ArrowType.UInt8, ArrowType.Int64, ordered: true)),
            new Field("i8", ArrowType.Int8), new Field("i16", ArrowType.Int16), new Field("i32", ArrowType.Int32), new Field("i64", ArrowType.Int64),
            new Field("u8", ArrowType.UInt8), new Field("u16", ArrowType.UInt16), new Field("u32", ArrowType.UInt32), new Field("u64", ArrowType.UInt64),
            new Field("f32", ArrowType.Float32), new Field("f64", ArrowType.Float64),
            new Field("flag", ArrowType.Boolean), new Field("s", ArrowType.Utf8), new Field("b", ArrowType.Binary),
            new Field("ls", ArrowType.LargeUtf8), new Field("lb", ArrowType.LargeBinary), new Field("nothing", ArrowType.Null),
        ],
        [new("origin", "tsdb"), new("version", "1")]);

    public static RecordBatch EveryType(int rows, int seed)
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
        string Word(int i) => (i % 4) switch { 0 => "", 1 => "zażółć", 2 => "日本語 😀", _ => $"host-{i % 13}" };
        var columns = new List<ArrowArray>
        {
            Fixed(ArrowType.TimestampNanosecond, i => 1_700_000_000_123_456_789 + (i * 1_000_000_007L), nullable: false),
            Fixed(ArrowType.Timestamp(TimeUnit.Nanosecond, "UTC"), i => i % 7 == 0 ? long.MinValue + i : long.MaxValue - i),
            Fixed(ArrowType.Timestamp(TimeUnit.Second, "+05:30"), i => -86_400L + i),
        };
        using (var host = new DictionaryArrayBuilder())
        {
            for (var i = 0; i < rows; i++)
            {
                host.Append(Null() ? null : Word(rng.Next(20)));
            }
            columns.Add(host.Build());
        }
        columns.Add(SmallDictionary(rows, rng));
        columns.Add(Fixed(ArrowType.Int8, i => (sbyte)rng.Next(-128, 128)));
        columns.Add(Fixed(ArrowType.Int16, i => (short)rng.Next(short.MinValue, short.MaxValue + 1)));
        columns.Add(Fixed(ArrowType.Int32, i => i % 11 == 0 ? int.MinValue : rng.Next()));
        columns.Add(Fixed(ArrowType.Int64, i => rng.NextInt64(long.MinValue, long.MaxValue)));
        columns.Add(Fixed(ArrowType.UInt8, i => (byte)rng.Next(256)));
        columns.Add(Fixed(ArrowType.UInt16, i => (ushort)rng.Next(65536)));
        columns.Add(Fixed(ArrowType.UInt32, i => i % 9 == 0 ? uint.MaxValue : (uint)rng.NextInt64(0, uint.MaxValue)));
        columns.Add(Fixed(ArrowType.UInt64, i => i % 9 == 0 ? ulong.MaxValue : (ulong)rng.NextInt64()));
        columns.Add(Fixed(ArrowType.Float32, i => i % 10 == 0 ? float.NaN : (float)(rng.NextDouble() - 0.5)));
        columns.Add(Fixed(ArrowType.Float64, i => (i % 5) switch { 0 => double.NaN, 1 => -0.0, 2 => double.NegativeInfinity, _ => rng.NextDouble() * 1e300 }));
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
                    b.Append(type == ArrowType.Utf8 ? Encoding.UTF8.GetBytes(Word(i)) : [(byte)i, 0, 255]);
                }
            }
            columns.Add(b.Build());
        }
        columns.Add(Large(ArrowType.LargeUtf8, rows, rng, i => Encoding.UTF8.GetBytes(Word(i + 1))));
        columns.Add(Large(ArrowType.LargeBinary, rows, rng, i => [(byte)(i * 7), 1]));
        columns.Add(new NullArray(rows));
        return new RecordBatch(EveryTypeSchema, columns, rows);
    }

    /// <summary>dictionary&lt;uint8, int64&gt;, built by hand: the dictionary builder makes int32/utf8 only.</summary>
    private static DictionaryArray SmallDictionary(int rows, Random rng)
    {
        var values = new byte[5 * 8];
        for (var i = 0; i < 5; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(values.AsSpan(i * 8), (i * 1_000_000_000_000L) - 3);
        }
        var dictionary = new ArrayData(ArrowType.Int64, 5, 0, [ReadOnlyMemory<byte>.Empty, values]);
        var indices = new byte[rows];
        var validity = new byte[BitUtil.BytesFor(rows)];
        for (var i = 0; i < rows; i++)
        {
            indices[i] = (byte)rng.Next(5);
            BitUtil.SetBit(validity, i, rng.Next(5) != 0);
        }
        return new DictionaryArray(new ArrayData(EveryTypeSchema[4].Type, rows, -1, [validity, indices], dictionary: dictionary));
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
}
