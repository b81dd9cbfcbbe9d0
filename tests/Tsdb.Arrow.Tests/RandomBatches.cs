using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Tests;

/// <summary>Seeded random schemas and data for property tests: nulls, empty batches, non-ASCII strings, extremes.</summary>
internal sealed class RandomBatches(int seed)
{
    private static readonly ArrowType[] Types =
    [
        ArrowType.Int64, ArrowType.UInt64, ArrowType.Float64, ArrowType.Boolean, ArrowType.Utf8, ArrowType.Binary,
        ArrowType.TimestampNanosecond, ArrowType.Timestamp(TimeUnit.Millisecond, "UTC"), ArrowType.Timestamp(TimeUnit.Second),
        ArrowType.DictionaryUtf8, ArrowType.Int32, ArrowType.Int8, ArrowType.UInt16, ArrowType.Float32, ArrowType.Null,
    ];

    private static readonly string[] Words = ["", "a", "host-1", "zażółć gęślą jaźń", "日本語", "😀 emoji", "quote \" and \\ backslash", "tab\tnew\nline", new string('x', 300)];

    public Random Rng { get; } = new(seed);

    public Schema NextSchema()
    {
        var count = Rng.Next(1, 9);
        var fields = new List<Field>();
        for (var i = 0; i < count; i++)
        {
            var type = Types[Rng.Next(Types.Length)];
            var metadata = Rng.Next(4) == 0 ? new[] { new KeyValuePair<string, string>("iox::column::type", "iox::column_type::field::float"), new KeyValuePair<string, string>("ключ", "значение") } : null;
            fields.Add(new Field(Rng.Next(3) == 0 ? $"c{i}_名前" : $"c{i}", type, type.Id == ArrowTypeId.Null || Rng.Next(3) != 0, metadata));
        }
        var schemaMetadata = Rng.Next(2) == 0 ? new[] { new KeyValuePair<string, string>("origin", "tsdb"), new KeyValuePair<string, string>("range", "[0, 1)") } : null;
        return new Schema(fields, schemaMetadata);
    }

    /// <summary>A batch; dictionary columns draw from <paramref name="dictionaryWords"/> when given.</summary>
    public RecordBatch NextBatch(Schema schema, int length, string[]? dictionaryWords = null)
    {
        var columns = new ArrowArray[schema.FieldCount];
        for (var c = 0; c < columns.Length; c++)
        {
            var field = schema[c];
            var nullRate = field.IsNullable ? Rng.Next(4) switch { 0 => 0.0, 1 => 1.0, _ => Rng.NextDouble() } : 0.0;
            columns[c] = NextArray(field.Type, length, nullRate, dictionaryWords);
        }
        return new RecordBatch(schema, columns, length);
    }

    private bool Null(double rate) => rate > 0 && Rng.NextDouble() < rate;

    private ArrowArray NextArray(ArrowType type, int length, double nullRate, string[]? dictionaryWords)
    {
        switch (type.Id)
        {
            case ArrowTypeId.Null:
                return new NullArray(length);
            case ArrowTypeId.Boolean:
                {
                    using var b = new BooleanArrayBuilder();
                    for (var i = 0; i < length; i++)
                    {
                        b.Append(Null(nullRate) ? null : Rng.Next(2) == 0);
                    }
                    return b.Build();
                }
            case ArrowTypeId.Utf8 or ArrowTypeId.Binary:
                {
                    using var b = new VariableWidthArrayBuilder(type);
                    for (var i = 0; i < length; i++)
                    {
                        if (Null(nullRate))
                        {
                            b.AppendNull();
                        }
                        else
                        {
                            b.Append(Encoding.UTF8.GetBytes(Words[Rng.Next(Words.Length)] + Rng.Next(1000)));
                        }
                    }
                    return b.Build();
                }
            case ArrowTypeId.Dictionary:
                {
                    using var b = new DictionaryArrayBuilder();
                    var words = dictionaryWords ?? Words;
                    for (var i = 0; i < length; i++)
                    {
                        b.Append(Null(nullRate) ? null : words[Rng.Next(words.Length)]);
                    }
                    return b.Build();
                }
            case ArrowTypeId.Float64:
                return Fill<double>(type, length, nullRate, () => Rng.Next(10) switch
                {
                    0 => double.NaN,
                    1 => -0.0,
                    2 => double.PositiveInfinity,
                    3 => double.Epsilon,
                    _ => (Rng.NextDouble() - 0.5) * Math.Pow(10, Rng.Next(-20, 20)),
                });
            case ArrowTypeId.Float32:
                return Fill<float>(type, length, nullRate, () => (float)(Rng.NextDouble() * 1000));
            case ArrowTypeId.Int8:
                return Fill<sbyte>(type, length, nullRate, () => (sbyte)Rng.Next(-128, 128));
            case ArrowTypeId.UInt16:
                return Fill<ushort>(type, length, nullRate, () => (ushort)Rng.Next(0, 65536));
            case ArrowTypeId.Int32:
                return Fill<int>(type, length, nullRate, () => Rng.Next(int.MinValue, int.MaxValue));
            case ArrowTypeId.UInt64:
                return Fill<ulong>(type, length, nullRate, () => Rng.Next(3) == 0 ? ulong.MaxValue - (ulong)Rng.Next(10) : (ulong)Rng.NextInt64());
            default: // Int64 and timestamps
                return Fill<long>(type, length, nullRate, () => Rng.Next(4) switch
                {
                    0 => long.MinValue + Rng.Next(10),
                    1 => long.MaxValue - Rng.Next(10),
                    _ => 1_700_000_000_000_000_000 + Rng.NextInt64(-1_000_000_000_000_000, 1_000_000_000_000_000),
                });
        }
    }

    private PrimitiveArray<T> Fill<T>(ArrowType type, int length, double nullRate, Func<T> next) where T : unmanaged
    {
        using var b = new PrimitiveArrayBuilder<T>(type);
        for (var i = 0; i < length; i++)
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
