using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Tests;

/// <summary>
/// Random columns for the aggregation tests: small value domains so ties are common (they decide first/last, min/max
/// and the selectors), NULLs, NaN and -0.0 among the floats, strings whose UTF-8 and UTF-16 orders differ, and tags
/// with a different dictionary order in every batch.
/// </summary>
internal static class AggregationTestData
{
    private static readonly string[] Strings = ["", "a", "ab", "b", "B", "é", "\uE000", "😀", "zz"];
    private static readonly string[] Tags = ["host_a", "host_b", "host_c", "é", "\uE000", "😀"];
    private static readonly double[] Doubles = [-2.5, -1, -0.0, 0.0, 1, 1.5, 3, double.NaN, 1e10, 7.25];

    public static ArrowArray Column(Random random, string kind, int length, double nullRate = 0.2)
    {
        bool IsNull() => random.NextDouble() < nullRate;
        switch (kind)
        {
            case "int64":
                return Fixed(ArrowType.Int64, length, IsNull, () => (long)random.Next(-6, 7));
            case "int32":
                return Fixed(ArrowType.Int32, length, IsNull, () => random.Next(-6, 7));
            case "uint64":
                return Fixed(ArrowType.UInt64, length, IsNull, () => (ulong)random.Next(0, 13));
            case "uint32":
                return Fixed(ArrowType.UInt32, length, IsNull, () => (uint)random.Next(0, 13));
            case "float64":
                return Fixed(ArrowType.Float64, length, IsNull, () => random.Next(4) == 0 ? random.NextDouble() * 100 : Doubles[random.Next(Doubles.Length)]);
            case "float64-no-nan":
                return Fixed(ArrowType.Float64, length, IsNull, () => (random.NextDouble() * 100) - 20);
            case "float32":
                return Fixed(ArrowType.Float32, length, IsNull, () => (float)Doubles[random.Next(Doubles.Length)]);
            case "time":
                return Fixed(ArrowType.TimestampNanosecond, length, IsNull, () => random.Next(0, 15) * 1000L);
            case "bool":
            {
                var values = new bool?[length];
                for (var i = 0; i < length; i++)
                {
                    values[i] = IsNull() ? null : random.Next(2) == 0;
                }
                return Columns.FromBools(values);
            }
            case "utf8":
            {
                var values = new string?[length];
                for (var i = 0; i < length; i++)
                {
                    values[i] = IsNull() ? null : Strings[random.Next(Strings.Length)];
                }
                return Columns.FromStrings(values);
            }
            case "tag":
            {
                // Seed the dictionary in a random order so equal strings have different indices in different batches.
                using var builder = new DictionaryArrayBuilder();
                var order = Tags.OrderBy(_ => random.Next()).ToArray();
                var values = new string?[length];
                for (var i = 0; i < length; i++)
                {
                    values[i] = IsNull() ? null : Tags[random.Next(Tags.Length)];
                }
                foreach (var tag in order)
                {
                    builder.AddValue(System.Text.Encoding.UTF8.GetBytes(tag));
                }
                foreach (var v in values)
                {
                    builder.Append(v);
                }
                return builder.Build();
            }
            default:
                throw new ArgumentException($"unknown kind {kind}", nameof(kind));
        }
    }

    private static ArrowArray Fixed<T>(ArrowType type, int length, Func<bool> isNull, Func<T> value) where T : unmanaged
    {
        var values = new T[length];
        var valid = new bool[length];
        for (var i = 0; i < length; i++)
        {
            valid[i] = !isNull();
            values[i] = valid[i] ? value() : default;
        }
        return Columns.FromValues(type, values, valid);
    }

    /// <summary>A filter with true, false and NULL slots.</summary>
    public static BooleanArray Filter(Random random, int length)
    {
        var values = new bool?[length];
        for (var i = 0; i < length; i++)
        {
            var pick = random.Next(5);
            values[i] = pick == 0 ? null : pick <= 2;
        }
        return Columns.FromBools(values);
    }

    /// <summary>The arrays one after the other; tags decoded first (their dictionaries differ per batch).</summary>
    public static ArrowArray Concatenate(IEnumerable<ArrowArray> parts) =>
        ArrowArray.Create(ArrayConcatenation.Concatenate([.. parts.Select(p => Columns.Plain(p).Data)]));
}
