using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using static Tsdb.Arrow.Tests.Compute.ComputeData;

namespace Tsdb.Arrow.Tests.Compute;

public sealed class ConcatenationTests
{
    private static ArrowArray Concat(params ArrowArray[] parts) => ArrowArray.Create(ArrayConcatenation.Concatenate([.. parts.Select(p => p.Data)]));

    [Fact]
    public void Many_parts_of_every_layout_keep_values_nulls_and_slices()
    {
        Assert.Equal(new object?[] { 1L, null, 3L, 4L, 5L }, Objects(Concat(Int64(1, null), Int64(3), Int64(9, 4, 5).Slice(1, 2))));
        Assert.Equal(new object?[] { "a", null, "ccc", "", "é" }, Objects(Concat(Utf8("a", null), Utf8("x", "ccc", "").Slice(1, 2), Utf8("é"))));
        Assert.Equal(new object?[] { true, false, null, true }, Objects(Concat(Bool(true), Bool(true, false, null).Slice(1, 2), Bool(true))));
        Assert.Equal(new object?[] { 2.5, 3.5 }, Objects(Concat(Float64(2.5), Float64(), Float64(3.5))));
    }

    [Fact]
    public void Dictionaries_are_merged_without_decoding_rows()
    {
        var result = Concat(Dict("b", "a", null, "b"), Dict("c", "a"), Dict("x", "a", "d").Slice(1, 2));
        Assert.Equal(ArrowTypeId.Dictionary, result.Type.Id);
        Assert.Equal(new object?[] { "b", "a", null, "b", "c", "a", "a", "d" }, Objects(result));
        Assert.Equal(1, result.NullCount);
        // One entry per distinct dictionary value (unused ones of a sliced part included), in first-seen order.
        Assert.Equal(new object?[] { "b", "a", "c", "x", "d" }, Objects(((DictionaryArray)result).Dictionary));
    }

    [Fact]
    public void Parts_of_one_dictionary_keep_it_and_their_codes()
    {
        var whole = Dict("b", "a", null, "c", "b");
        var result = Concat(whole.Slice(3, 2), whole.Slice(0, 3), whole.Slice(1, 1));
        Assert.Equal(new object?[] { "c", "b", "b", "a", null, "a" }, Objects(result));
        Assert.Equal(1, result.NullCount);
        Assert.Same(whole.Data.Dictionary, result.Data.Dictionary);
    }

    [Fact]
    public void Parts_of_different_types_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Concat(Int64(1), Float64(1)));
        Assert.Equal("cannot concatenate int64 and float64", error.Message);
    }
}
