using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Parquet.Tests;

/// <summary>Seeded batches with every type the Parquet writer maps, nulls, extremes, NaN, -0 and long strings.</summary>
internal sealed class TestData(int seed)
{
    public static readonly Tsdb.Arrow.Types.Schema WideSchema = new(
    [
        new Field("time", ArrowType.TimestampNanosecond, nullable: false),
        new Field("host", ArrowType.DictionaryUtf8),
        new Field("i64", ArrowType.Int64),
        new Field("u64", ArrowType.UInt64),
        new Field("f64", ArrowType.Float64),
        new Field("f32", ArrowType.Float32),
        new Field("i32", ArrowType.Int32),
        new Field("i8", ArrowType.Int8),
        new Field("u16", ArrowType.UInt16),
        new Field("flag", ArrowType.Boolean),
        new Field("note", ArrowType.Utf8),
        new Field("blob", ArrowType.Binary),
        new Field("ts_us", ArrowType.Timestamp(TimeUnit.Microsecond, "UTC")),
        new Field("ts_ms", ArrowType.Timestamp(TimeUnit.Millisecond, "UTC")),
        new Field("req", ArrowType.Float64, nullable: false),
    ]);

    private static readonly string[] Words = ["", "a", "zażółć gęślą jaźń", "日本語", "😀", new string('x', 100) + "ÿ", "tail\\"];

    public Random Rng { get; } = new(seed);

    public RecordBatch Batch(Tsdb.Arrow.Types.Schema schema, int rows, long firstTime)
    {
        var columns = new List<ArrowArray>();
        foreach (var field in schema.Fields)
        {
            var nullRate = field.IsNullable ? Rng.Next(3) switch { 0 => 0.0, 1 => 0.3, _ => 1.0 } : 0.0;
            columns.Add(Column(field, rows, nullRate, firstTime));
        }
        return new RecordBatch(schema, columns, rows);
    }

    private bool Null(double rate) => rate > 0 && (rate >= 1 || Rng.NextDouble() < rate);

    private ArrowArray Column(Field field, int rows, double nullRate, long firstTime)
    {
        var type = field.Type;
        switch (type.Id)
        {
            case ArrowTypeId.Dictionary:
                {
                    using var b = new DictionaryArrayBuilder();
                    for (var i = 0; i < rows; i++)
                    {
                        b.Append(Null(nullRate) ? null : $"host_{Rng.Next(50)}");
                    }
                    return b.Build();
                }
            case ArrowTypeId.Utf8 or ArrowTypeId.Binary:
                {
                    using var b = new VariableWidthArrayBuilder(type);
                    for (var i = 0; i < rows; i++)
                    {
                        if (Null(nullRate))
                        {
                            b.AppendNull();
                        }
                        else
                        {
                            b.Append(Encoding.UTF8.GetBytes(Words[Rng.Next(Words.Length)] + Rng.Next(100)));
                        }
                    }
                    return b.Build();
                }
            case ArrowTypeId.Boolean:
                {
                    using var b = new BooleanArrayBuilder();
                    for (var i = 0; i < rows; i++)
                    {
                        b.Append(Null(nullRate) ? null : Rng.Next(2) == 0);
                    }
                    return b.Build();
                }
            case ArrowTypeId.Float64:
                return Fill<double>(type, rows, nullRate, () => Rng.Next(12) switch
                {
                    0 => double.NaN,
                    1 => -0.0,
                    2 => 0.0,
                    3 => double.NegativeInfinity,
                    _ => (Rng.NextDouble() - 0.5) * 1000,
                });
            case ArrowTypeId.Float32:
                return Fill<float>(type, rows, nullRate, () => Rng.Next(10) == 0 ? float.NaN : (float)(Rng.NextDouble() * 100));
            case ArrowTypeId.Int32:
                return Fill<int>(type, rows, nullRate, () => Rng.Next(int.MinValue, int.MaxValue));
            case ArrowTypeId.Int8:
                return Fill<sbyte>(type, rows, nullRate, () => (sbyte)Rng.Next(-128, 128));
            case ArrowTypeId.UInt16:
                return Fill<ushort>(type, rows, nullRate, () => (ushort)Rng.Next(65536));
            case ArrowTypeId.UInt64:
                return Fill<ulong>(type, rows, nullRate, () => Rng.Next(3) == 0 ? ulong.MaxValue - (ulong)Rng.Next(100) : (ulong)Rng.NextInt64());
            case ArrowTypeId.Timestamp when field.Name == "time":
                {
                    var t = firstTime;
                    return Fill<long>(type, rows, 0, () => t += Rng.NextInt64(1, 20_000_000_000));
                }
            case ArrowTypeId.Timestamp:
                var scale = type.Unit == TimeUnit.Microsecond ? 1_000L : 1_000_000L;
                return Fill<long>(type, rows, nullRate, () => (1_700_000_000_000_000_000 + Rng.NextInt64(-1_000_000_000_000_000, 1_000_000_000_000_000)) / scale);
            default:
                return Fill<long>(type, rows, nullRate, () => Rng.Next(4) switch
                {
                    0 => long.MinValue + Rng.Next(10),
                    1 => long.MaxValue - Rng.Next(10),
                    _ => Rng.NextInt64(-1_000_000, 1_000_000),
                });
        }
    }

    private PrimitiveArray<T> Fill<T>(ArrowType type, int rows, double nullRate, Func<T> next) where T : unmanaged
    {
        using var b = new PrimitiveArrayBuilder<T>(type);
        for (var i = 0; i < rows; i++)
        {
            if (Null(nullRate))
            {
                b.AppendNull();
            }
            else
            {
                b.Append(next());
            }
        }
        return b.Build();
    }
}
