using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using static Tsdb.Arrow.Tests.Compute.ComputeData;

#pragma warning disable CA1861 // literal expected arrays read best inline

namespace Tsdb.Arrow.Tests.Compute;

public sealed class KernelTests
{
    private static readonly ComparisonOp[] Ops = Enum.GetValues<ComparisonOp>();

    private static bool Apply(ComparisonOp op, int c) => op switch
    {
        ComparisonOp.Equal => c == 0,
        ComparisonOp.NotEqual => c != 0,
        ComparisonOp.Less => c < 0,
        ComparisonOp.LessOrEqual => c <= 0,
        ComparisonOp.Greater => c > 0,
        _ => c >= 0,
    };

    // ---- Comparison ----

    [Fact]
    public void A_literal_null_compares_as_the_null_scalar()
    {
        Assert.Equal(new object?[] { null, null }, Objects(Comparison.Compare(Int64(1, null), null, ComparisonOp.Equal)));
    }

    [Fact]
    public void Compare_arrays_with_nulls_gives_nulls()
    {
        var result = Comparison.Compare(Int64(1, null, 3, 4), Int64(1, 2, null, 5), ComparisonOp.Less);
        Assert.Equal(new object?[] { false, null, null, true }, Objects(result));
    }

    [Fact]
    public void Compare_uint64_against_negative_long_and_int_against_double()
    {
        Assert.Equal(new object?[] { true, true }, Objects(Comparison.Compare(UInt64(0, ulong.MaxValue), -1L, ComparisonOp.Greater)));
        Assert.Equal(new object?[] { false, true, null }, Objects(Comparison.Compare(Int64(1, 2, null), Float64(1.5, 1.5, 0), ComparisonOp.Greater)));
        Assert.Equal(new object?[] { true }, Objects(Comparison.Compare(Int64(-1), UInt64(ulong.MaxValue), ComparisonOp.Less)));
    }

    [Fact]
    public void Compare_strings_ordinally_by_utf8_bytes()
    {
        var result = Comparison.Compare(Utf8("a", "B", "é", null, ""), "a", ComparisonOp.Less);
        Assert.Equal(new object?[] { false, true, false, null, true }, Objects(result));
    }

    [Fact]
    public void Compare_dictionary_sliced_with_scalar_and_null_scalar()
    {
        var tags = Dict("us", "eu", null, "us", "ap").Slice(1, 4);
        Assert.Equal(new object?[] { false, null, true, false }, Objects(Comparison.Compare(tags, "us", ComparisonOp.Equal)));
        Assert.Equal(new object?[] { null, null, null, null }, Objects(Comparison.Compare(tags, (object?)null, ComparisonOp.Equal)));
    }

    [Fact]
    public void Compare_timestamp_with_long_scalar_and_nan()
    {
        var time = Primitive<long>(ArrowType.TimestampNanosecond, [10, 20, null]);
        Assert.Equal(new object?[] { false, true, null }, Objects(Comparison.Compare(time, 15L, ComparisonOp.GreaterOrEqual)));
        Assert.Equal(new object?[] { true, false }, Objects(Comparison.Compare(Float64(double.NaN, 1), double.NaN, ComparisonOp.Equal)));
        Assert.Equal(0, Comparison.Compare(Int64(), 1L, ComparisonOp.Equal).Length);
        // NaN sorts above every number, also against a numeric scalar (the buffer-to-bits path).
        Assert.Equal(new object?[] { true, false, true, null }, Objects(Comparison.Compare(Float64(double.NaN, 1, 2, null), 1.5, ComparisonOp.Greater)));
        Assert.Equal(new object?[] { false, true, false, null }, Objects(Comparison.Compare(Float64(double.NaN, 1, 2, null), 1L, ComparisonOp.LessOrEqual)));
        Assert.Equal(new object?[] { false, true, true, false }, Objects(Comparison.Compare(Int64(1, 2, 3, 4, 2).Slice(1, 4), 2L, ComparisonOp.NotEqual)));
    }

    [Fact]
    public void Compare_rejects_incompatible_types()
    {
        var error = Assert.Throws<ArgumentException>(() => Comparison.Compare(Int64(1), Utf8("a"), ComparisonOp.Equal));
        Assert.Equal("cannot compare int64 with utf8", error.Message);
    }

    public static TheoryData<int, int> TypePairs()
    {
        var data = new TheoryData<int, int>();
        for (var a = 0; a < AllTypes.Length; a++)
        {
            for (var b = 0; b < AllTypes.Length; b++)
            {
                var na = AllTypes[a].Id is >= ArrowTypeId.Int8 and <= ArrowTypeId.Float64 or ArrowTypeId.Timestamp;
                var nb = AllTypes[b].Id is >= ArrowTypeId.Int8 and <= ArrowTypeId.Float64 or ArrowTypeId.Timestamp;
                var sa = AllTypes[a].Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Dictionary;
                var sb = AllTypes[b].Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Dictionary;
                if ((na && nb) || (sa && sb) || a == b)
                {
                    data.Add(a, b);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TypePairs))]
    public void Compare_matches_naive_model(int leftType, int rightType)
    {
        var random = new Random((leftType * 31) + rightType);
        var length = 1500;
        var left = Random(AllTypes[leftType], length + 3, random).Slice(3, length);
        var right = Random(AllTypes[rightType], length, random);
        var l = Objects(left);
        var r = Objects(right);
        foreach (var op in Ops)
        {
            var result = Objects(Comparison.Compare(left, right, op));
            for (var i = 0; i < length; i++)
            {
                object? expected = l[i] is null || r[i] is null ? null : Apply(op, NaiveCompare(l[i]!, r[i]!));
                Assert.True(Equals(expected, result[i]), $"{op} row {i}: {l[i]} vs {r[i]} gave {result[i]}");
            }
            var scalar = r.FirstOrDefault(v => v is not null);
            if (scalar is null || scalar is float)
            {
                continue;
            }
            var scalarResult = Objects(Comparison.Compare(left, scalar, op));
            for (var i = 0; i < length; i++)
            {
                object? expected = l[i] is null ? null : Apply(op, NaiveCompare(l[i]!, scalar));
                Assert.True(Equals(expected, scalarResult[i]), $"{op} row {i}: {l[i]} vs scalar {scalar}");
            }
        }
    }

    // ---- Logical ----

    [Fact]
    public void Three_valued_logic_tables()
    {
        bool?[] a = [true, true, true, false, false, false, null, null, null];
        bool?[] b = [true, false, null, true, false, null, true, false, null];
        Assert.Equal(new object?[] { true, false, null, false, false, false, null, false, null }, Objects(Logical.And(Bool(a), Bool(b))));
        Assert.Equal(new object?[] { true, true, true, true, false, null, true, null, null }, Objects(Logical.Or(Bool(a), Bool(b))));
        Assert.Equal(new object?[] { false, true, null }, Objects(Logical.Not(Bool(true, false, null))));
        Assert.Equal(new object?[] { false, false, true }, Objects(Logical.IsNull(Bool(true, false, null))));
        Assert.Equal(new object?[] { true, true, false }, Objects(Logical.IsNotNull(Bool(true, false, null))));
        Assert.Equal(new object?[] { false, false }, Objects(Logical.IsNull(Utf8("a", "b"))));
        Assert.Equal(0, Logical.And(Bool(), Bool()).Length);
    }

    [Fact]
    public void Logical_kernels_match_naive_model_on_slices()
    {
        var random = new Random(7);
        for (var round = 0; round < 20; round++)
        {
            var length = random.Next(0, 2000);
            var a = (BooleanArray)Random(ArrowType.Boolean, length + 5, random).Slice(5, length);
            var b = (BooleanArray)Random(ArrowType.Boolean, length + 3, random).Slice(3, length);
            var and = Logical.And(a, b);
            var or = Logical.Or(a, b);
            var not = Logical.Not(a);
            var isNull = Logical.IsNull(a);
            for (var i = 0; i < length; i++)
            {
                bool? x = a.Get(i), y = b.Get(i);
                bool? expectedAnd = x == false || y == false ? false : x is null || y is null ? null : true;
                bool? expectedOr = x == true || y == true ? true : x is null || y is null ? null : false;
                Assert.Equal(expectedAnd, and.Get(i));
                Assert.Equal(expectedOr, or.Get(i));
                Assert.Equal(x is null ? null : !x, not.Get(i));
                Assert.Equal(x is null, isNull.Get(i));
            }
            Assert.Equal(Enumerable.Range(0, length).Count(i => and.Get(i) is null), and.NullCount);
        }
    }

    // ---- Arithmetic ----

    [Fact]
    public void Integer_arithmetic_with_nulls_and_division_by_zero()
    {
        var a = Int64(7, -7, null, 5, long.MinValue);
        var b = Int64(2, 2, 1, 0, -1);
        Assert.Equal(new object?[] { 9L, -5L, null, 5L }, Objects(Arithmetic.Add(a.Slice(0, 4), b.Slice(0, 4))));
        Assert.Equal(new object?[] { 3L, -3L, null, null }, Objects(Arithmetic.Divide(a.Slice(0, 4), b.Slice(0, 4))));
        Assert.Equal(new object?[] { 1L, -1L, null, null, 0L }, Objects(Arithmetic.Modulo(a, b)));
        Assert.Equal(new object?[] { null, null, null, null, null }, Objects(Arithmetic.Divide(a, 0L)));
        Assert.Equal(new object?[] { 14L, -14L, null, 10L }, Objects(Arithmetic.Multiply(a.Slice(0, 4), 2)));
    }

    [Fact]
    public void Overflow_throws_a_clear_arithmetic_exception()
    {
        var error = Assert.Throws<ArithmeticException>(() => Arithmetic.Add(Int64(1, long.MaxValue), 1L));
        Assert.Equal("integer overflow: 9223372036854775807 + 1 at row 1 does not fit in int64", error.Message);
        var under = Assert.Throws<ArithmeticException>(() => Arithmetic.Subtract(UInt64(0), UInt64(1)));
        Assert.Equal("integer overflow: 0 - 1 at row 0 does not fit in uint64", under.Message);
        Assert.Throws<ArithmeticException>(() => Arithmetic.Divide(Int64(long.MinValue), -1L));
        // A null row is never evaluated, so it cannot overflow.
        Assert.Equal(new object?[] { null }, Objects(Arithmetic.Add(Int64([null]), Int64(long.MaxValue))));
    }

    [Fact]
    public void Float_arithmetic_follows_ieee_and_int_promotes_to_double()
    {
        var result = Arithmetic.Divide(Float64(1, -1, 0, null), 0.0);
        Assert.Equal(ArrowType.Float64, result.Type);
        var values = Objects(result);
        Assert.Equal(double.PositiveInfinity, values[0]);
        Assert.Equal(double.NegativeInfinity, values[1]);
        Assert.True(double.IsNaN((double)values[2]!));
        Assert.Null(values[3]);
        var promoted = Arithmetic.Add(Int64(1, 2), Float64(0.5, null));
        Assert.Equal(ArrowType.Float64, promoted.Type);
        Assert.Equal(new object?[] { 1.5, null }, Objects(promoted));
        Assert.Equal(new object?[] { 6UL, 2UL }, Objects(Arithmetic.Add(UInt64(5, 1), 1UL)));
    }

    [Fact]
    public void Arithmetic_matches_naive_model_on_random_slices()
    {
        var random = new Random(99);
        for (var round = 0; round < 10; round++)
        {
            var length = random.Next(0, 2000);
            var a = Primitive(ArrowType.Int64, Enumerable.Range(0, length + 2).Select(_ => random.Next(8) == 0 ? (long?)null : random.Next(-1000, 1000)).ToArray()).Slice(2, length);
            var b = Primitive(ArrowType.Int64, Enumerable.Range(0, length).Select(_ => random.Next(8) == 0 ? (long?)null : random.Next(-5, 5)).ToArray());
            var d = Primitive(ArrowType.Float64, Enumerable.Range(0, length).Select(_ => random.Next(8) == 0 ? (double?)null : random.Next(-8, 8) / 4.0).ToArray());
            var sum = Objects(Arithmetic.Add(a, b));
            var quotient = Objects(Arithmetic.Divide(a, b));
            var remainder = Objects(Arithmetic.Modulo(a, b));
            var product = Objects(Arithmetic.Multiply(a, d));
            for (var i = 0; i < length; i++)
            {
                var x = (long?)a.GetObject(i);
                var y = (long?)b.GetObject(i);
                var z = (double?)d.GetObject(i);
                Assert.Equal(x + y, (long?)sum[i]);
                Assert.Equal(y == 0 ? null : x / y, (long?)quotient[i]);
                Assert.Equal(y == 0 ? null : x % y, (long?)remainder[i]);
                Assert.Equal(x * z, (double?)product[i]);
            }
        }
    }

    // ---- Sorting ----

    [Fact]
    public void Sort_is_stable_multi_key_with_null_placement()
    {
        var tag = Dict("b", "a", "b", null, "a", "b");
        var value = Float64(1, 2, 1, 3, null, double.NaN);
        Assert.Equal(new[] { 1, 4, 0, 2, 5, 3 }, Sorting.SortIndices([(tag, false, false)]));
        Assert.Equal(new[] { 3, 0, 2, 5, 1, 4 }, Sorting.SortIndices([(tag, true, true)]));
        Assert.Equal(new[] { 4, 1, 0, 2, 5, 3 }, Sorting.SortIndices([(tag, false, false), (value, false, true)]));
        Assert.Equal(new[] { 4, 5, 3, 1, 0, 2 }, Sorting.SortIndices([(value, true, true)]));
        Assert.Equal(new[] { 4, 5 }, Sorting.TopK([(value, true, true)], 2));
        Assert.Empty(Sorting.SortIndices([(Int64(), false, false)]));
    }

    [Fact]
    public void Sort_respects_slice_offsets()
    {
        var values = Utf8("z", "c", null, "a", "b", "y").Slice(1, 4); // c null a b
        Assert.Equal(new[] { 2, 3, 0, 1 }, Sorting.SortIndices([(values, false, false)]));
    }

    public static TheoryData<int> TypeIndexes() => [.. Enumerable.Range(0, AllTypes.Length)];

    [Theory]
    [MemberData(nameof(TypeIndexes))]
    public void Sort_matches_stable_naive_sort(int typeIndex)
    {
        var random = new Random(500 + typeIndex);
        var length = 2500;
        var first = Random(AllTypes[typeIndex], length + 4, random).Slice(4, length);
        var second = Random(ArrowType.Int8, length, random);
        foreach (var (desc, nullsFirst) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            var a = Objects(first);
            var b = Objects(second);
            int Key(object?[] column, int x, int y, bool descending, bool nf)
            {
                if (column[x] is null || column[y] is null)
                {
                    return column[x] is null == column[y] is null ? 0 : (column[x] is null) == nf ? -1 : 1;
                }
                var c = NaiveCompare(column[x]!, column[y]!);
                return descending ? -c : c;
            }
            var expected = Enumerable.Range(0, length).ToList();
            // List.Sort is unstable, so the row number breaks ties explicitly; OrderBy would be stable too.
            expected.Sort((x, y) =>
            {
                var c = Key(a, x, y, desc, nullsFirst);
                if (c == 0)
                {
                    c = Key(b, x, y, false, false);
                }
                return c != 0 ? c : x.CompareTo(y);
            });
            Assert.Equal(expected.ToArray(), Sorting.SortIndices([(first, desc, nullsFirst), (second, false, false)]));
        }
    }

    /// <summary>Rows are "sorted" exactly when a stable sort would leave them where they are, for every type and null placement.</summary>
    [Theory]
    [MemberData(nameof(TypeIndexes))]
    public void Is_sorted_exactly_when_a_stable_sort_moves_nothing(int typeIndex)
    {
        var random = new Random(700 + typeIndex);
        foreach (var (desc, nullsFirst) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            for (var round = 0; round < 20; round++)
            {
                var length = random.Next(0, 40);
                var first = Random(AllTypes[typeIndex], length + 2, random).Slice(2, length);
                var second = Random(ArrowType.Int8, length, random);
                List<(ArrowArray, bool, bool)> keys = [(first, desc, nullsFirst), (second, false, false)];
                var order = Sorting.SortIndices(keys);
                Assert.Equal(order.SequenceEqual(Enumerable.Range(0, length)), Sorting.IsSorted(keys));
                // The same rows in sorted order are sorted; swapping two that differ is not.
                List<(ArrowArray, bool, bool)> sorted = [(Selection.Take(first, order), desc, nullsFirst), (Selection.Take(second, order), false, false)];
                Assert.True(Sorting.IsSorted(sorted));
                // Two neighbours that differ (their swap alone is out of order): swapped in the whole, it is not sorted.
                for (var i = 1; i < length; i++)
                {
                    if (!Sorting.IsSorted([.. sorted.Select(k => (Selection.Take(k.Item1, new[] { i, i - 1 }), k.Item2, k.Item3))]))
                    {
                        var swapped = Enumerable.Range(0, length).Select(r => r == i ? i - 1 : r == i - 1 ? i : r).ToArray();
                        Assert.False(Sorting.IsSorted([.. sorted.Select(k => (Selection.Take(k.Item1, swapped), k.Item2, k.Item3))]));
                        break;
                    }
                }
            }
        }
        Assert.Throws<ArgumentException>(() => Sorting.IsSorted([(Int64(1, 2), false, false), (Int64(1), false, false)]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void First_per_group_is_the_row_a_stable_sort_puts_first_in_each_group(int seed)
    {
        var random = new Random(seed);
        const int length = 500;
        var group = Dict([.. Enumerable.Range(0, length).Select(_ => random.Next(6) == 0 ? null : $"g{random.Next(20)}")]);
        var time = Int64([.. Enumerable.Range(0, length).Select(_ => random.Next(4) == 0 ? (long?)null : random.Next(30))]);
        var value = Float64([.. Enumerable.Range(0, length).Select(_ => (double?)random.Next(3))]);
        var ids = Hashing.GroupIds([group], out var groups);
        foreach (var (desc, nullsFirst) in new[] { (true, true), (false, false), (true, false) })
        {
            List<(ArrowArray, bool, bool)> keys = [(time, desc, nullsFirst), (value, false, false)];
            var sorted = Sorting.SortIndices(keys);
            var expected = Enumerable.Repeat(-1, groups).ToArray();
            foreach (var row in sorted)
            {
                if (expected[ids[row]] < 0)
                {
                    expected[ids[row]] = row;
                }
            }
            Assert.Equal(expected, Sorting.FirstPerGroup(keys, ids, groups));
        }
        Assert.Equal(new[] { 0, 2 }, Sorting.FirstPerGroup([], new[] { 0, 0, 1 }, 2));
        Assert.Equal(new[] { -1 }, Sorting.FirstPerGroup([(Int64(), false, false)], ReadOnlySpan<int>.Empty, 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Top_k_is_the_head_of_the_stable_sort(int seed)
    {
        var random = new Random(seed);
        const int length = 2000;
        var a = Int64([.. Enumerable.Range(0, length).Select(_ => random.Next(5) == 0 ? null : (long?)random.Next(40))]);
        var b = Float64([.. Enumerable.Range(0, length).Select(_ => random.Next(9) == 0 ? double.NaN : (double?)random.Next(10))]);
        foreach (var (desc, nullsFirst) in new[] { (true, true), (false, false), (false, true) })
        {
            List<(ArrowArray, bool, bool)> keys = [(a, desc, nullsFirst), (b, !desc, false)];
            var sorted = Sorting.SortIndices(keys);
            foreach (var k in new[] { 0, 1, 7, 100, 499, 500, 1999, 2000, 5000 })
            {
                Assert.Equal(sorted.Take(k).ToArray(), Sorting.TopK(keys, k));
            }
        }
    }

    // ---- Hashing ----

    [Fact]
    public void Group_ids_in_order_of_first_appearance_with_nulls_grouped()
    {
        var ids = Hashing.GroupIds([Dict("a", null, "b", "a", null)], out var count);
        Assert.Equal(new[] { 0, 1, 2, 0, 1 }, ids);
        Assert.Equal(3, count);
        var multi = Hashing.GroupIds([Utf8("x", "x", "y", "x", null).Slice(1, 4), Int64(1, 2, 1, 2, 3).Slice(1, 4)], out count);
        Assert.Equal(new[] { 0, 1, 0, 2 }, multi); // (x,2) (y,1) (x,2) (null,3)
        Assert.Equal(3, count);
        var floats = Hashing.GroupIds([Float64(0.0, -0.0, double.NaN, double.NaN, null)], out count);
        Assert.Equal(new[] { 0, 0, 1, 1, 2 }, floats);
        Assert.Empty(Hashing.GroupIds([Int64()], out count));
        Assert.Equal(0, count);
    }

    [Theory]
    [MemberData(nameof(TypeIndexes))]
    public void Group_ids_match_naive_model(int typeIndex)
    {
        var random = new Random(700 + typeIndex);
        var length = 3000;
        var keys = new[] { Random(AllTypes[typeIndex], length + 2, random).Slice(2, length), Random(ArrowType.Boolean, length, random) };
        // Runs of equal values with nulls between (the dense numbering's shortcut), and a key space too large for
        // the direct table (the hash table path).
        var runs = Int64([.. Enumerable.Range(0, length).Select(i => i % 97 == 0 ? null : (long?)(i / 50))]);
        var wide = Int64([.. Enumerable.Range(0, length).Select(_ => (long?)random.Next(1_000_000))]);
        var keySets = new[] { keys[..1], keys, [keys[0], runs], [keys[0], wide, runs], [runs] };
        foreach (var keySet in keySets)
        {
            var ids = Hashing.GroupIds(keySet, out var count);
            var seen = new Dictionary<string, int>();
            for (var i = 0; i < length; i++)
            {
                var key = string.Join("|", keySet.Select(k => GroupKey(k.GetObject(i)) switch { null => "<null>", var v => v.GetType().Name + ":" + v }));
                if (!seen.TryGetValue(key, out var id))
                {
                    seen[key] = id = seen.Count;
                }
                Assert.Equal(id, ids[i]);
            }
            Assert.Equal(seen.Count, count);
        }
    }
}
