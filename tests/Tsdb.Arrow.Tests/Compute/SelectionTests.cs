using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;
using static Tsdb.Arrow.Tests.Compute.ComputeData;

namespace Tsdb.Arrow.Tests.Compute;

public sealed class SelectionTests
{
    [Fact]
    public void Filter_keeps_true_rows_and_treats_null_mask_as_false()
    {
        var values = Int64(1, null, 3, 4, 5);
        var result = Selection.Filter(values, Bool(true, true, null, false, true));
        Assert.Equal(new object?[] { 1L, null, 5L }, Objects(result));
        Assert.Equal(1, result.NullCount);
    }

    [Fact]
    public void Filter_respects_offsets_of_values_and_mask()
    {
        var values = Utf8("a", "b", "c", "d", "e", "f", "g", "h", "i", "j").Slice(3, 5); // d..h
        var mask = (BooleanArray)Bool(false, false, true, false, true, true, false, true, true).Slice(2, 5); // T F T T F
        Assert.Equal(new object?[] { "d", "f", "g" }, Objects(Selection.Filter(values, mask)));
    }

    [Fact]
    public void Filter_of_empty_arrays_is_empty()
    {
        var result = Selection.Filter(Float64(), Bool());
        Assert.Equal(0, result.Length);
        Assert.Equal(ArrowType.Float64, result.Type);
    }

    [Fact]
    public void Filter_rejects_a_mask_of_another_length()
    {
        var error = Assert.Throws<ArgumentException>(() => Selection.Filter(Int64(1, 2), Bool(true)));
        Assert.StartsWith("mask has 1 rows, the input 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Take_with_minus_one_gives_null_and_keeps_dictionary()
    {
        var tags = Dict("x", "y", null, "x");
        var result = (DictionaryArray)Selection.Take(tags, [3, -1, 1, 2, 0]);
        Assert.Same(tags.Data.Dictionary, result.Data.Dictionary);
        Assert.Equal(new object?[] { "x", null, "y", null, "x" }, Objects(result));
        Assert.Equal(2, result.NullCount);
    }

    [Fact]
    public void Take_booleans_and_large_strings_from_slices()
    {
        var bools = Bool(true, false, true, true, null, false, true, false, false, true).Slice(1, 8);
        Assert.Equal(new object?[] { false, null, false, true }, Objects(Selection.Take(bools, [6, 3, 0, 1])));
        var large = Large(Utf8("aa", "b", null, "cccc")).Slice(1, 3);
        var taken = Selection.Take(large, [2, 1, 0, 2]);
        Assert.Equal(ArrowType.LargeUtf8, taken.Type);
        Assert.Equal(new object?[] { "cccc", null, "b", "cccc" }, Objects(taken));
    }

    [Fact]
    public void Take_rejects_indices_out_of_range()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Selection.Take(Int64(1, 2), [0, 2]));
        Assert.Contains("index 2 at position 1 is outside an array of length 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Filter_record_batch_filters_every_column()
    {
        var schema = new Schema([new Field("tag", ArrowType.DictionaryUtf8), new Field("v", ArrowType.Float64)]);
        var batch = new RecordBatch(schema, [Dict("a", "b", "a"), Float64(1, 2, null)], 3);
        var result = Selection.Filter(batch, Bool(true, false, true));
        Assert.Equal(2, result.Length);
        Assert.Equal(new object?[] { "a", "a" }, Objects(result.Column(0)));
        Assert.Equal(new object?[] { 1.0, null }, Objects(result.Column(1)));
        var taken = Selection.Take(batch, [2, 2, -1]);
        Assert.Equal(new object?[] { null, null, null }, Objects(taken.Column(1)));
    }

    public static TheoryData<int> TypeIndexes() => [.. Enumerable.Range(0, AllTypes.Length)];

    [Theory]
    [MemberData(nameof(TypeIndexes))]
    public void Filter_and_take_match_naive_model_on_random_slices(int typeIndex)
    {
        var random = new Random(1000 + typeIndex);
        var type = AllTypes[typeIndex];
        for (var round = 0; round < 5; round++)
        {
            var length = random.Next(0, 3000);
            var offset = random.Next(0, 13);
            var full = Random(type, length + offset + 5, random);
            var array = full.Slice(offset, length);
            var maskFull = (BooleanArray)Random(ArrowType.Boolean, length + 7, random);
            var mask = (BooleanArray)maskFull.Slice(7, length);
            var expected = new List<object?>();
            for (var i = 0; i < length; i++)
            {
                if (mask.Get(i) == true)
                {
                    expected.Add(array.GetObject(i));
                }
            }
            var filtered = Selection.Filter(array, mask);
            Assert.Equal(type, filtered.Type);
            Assert.Equal(expected, Objects(filtered));
            Assert.Equal(expected.Count(v => v is null), filtered.NullCount);

            var indices = new int[random.Next(0, 2000)];
            for (var i = 0; i < indices.Length; i++)
            {
                indices[i] = length == 0 ? -1 : random.Next(-1, length);
            }
            var taken = Selection.Take(array, indices);
            Assert.Equal(indices.Select(i => i < 0 ? null : array.GetObject(i)).ToArray(), Objects(taken));
        }
    }

    [Theory]
    [MemberData(nameof(TypeIndexes))]
    public void A_contiguous_run_of_at_least_half_the_rows_is_sliced_and_a_shorter_one_copied(int typeIndex)
    {
        var random = new Random(2000 + typeIndex);
        var type = AllTypes[typeIndex];
        for (var round = 0; round < 20; round++)
        {
            var length = random.Next(2, 2000);
            var offset = random.Next(0, 13);
            var array = Random(type, length + offset, random).Slice(offset, length);
            // One run [start, start + n), the rest false (a time range over rows sorted by time).
            var n = random.Next(1, length);
            var start = random.Next(0, length - n + 1);
            var mask = Bool([.. Enumerable.Range(0, length).Select(i => (bool?)(i >= start && i < start + n))]);
            var filtered = Selection.Filter(array, mask);
            Assert.Equal(Enumerable.Range(start, n).Select(array.GetObject).ToArray(), Objects(filtered));
            var expectedNulls = Enumerable.Range(start, n).Count(i => array.GetObject(i) is null);
            Assert.Equal(expectedNulls, filtered.NullCount);
            var shares = type.Id != ArrowTypeId.Null && filtered.Data.Buffers.Length > 1 && array.Data.Buffers.Length > 1
                && filtered.Data.Buffers[1].Equals(array.Data.Buffers[1]);
            if (type.Id != ArrowTypeId.Null)
            {
                Assert.Equal(n * 2 >= length, shares);
            }
        }
    }
}
