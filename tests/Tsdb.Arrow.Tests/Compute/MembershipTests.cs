using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Tests.Compute;

public sealed class MembershipTests
{
    private static readonly string[] Pool = ["host_0", "host_1", "host_10", "host_2", "", "höst_3", "a", "b", "host_1 ", "HOST_0"];

    /// <summary>The answer row by row: null for a null element, else whether it is listed (ordinal).</summary>
    private static bool?[] Expected(string?[] values, IReadOnlyList<string> listed) =>
        [.. values.Select(v => v is null ? (bool?)null : listed.Contains(v, StringComparer.Ordinal))];

    private static bool?[] Actual(BooleanArray result) =>
        [.. Enumerable.Range(0, result.Length).Select(i => result.IsNull(i) ? (bool?)null : result.GetValue(i))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Dictionary_and_utf8_columns_answer_as_a_row_by_row_test(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 50; round++)
        {
            var values = Enumerable.Range(0, random.Next(0, 300)).Select(_ => random.Next(8) == 0 ? null : Pool[random.Next(Pool.Length)]).ToArray();
            var listed = Enumerable.Range(0, random.Next(0, 5)).Select(_ => random.Next(4) == 0 ? "not there" : Pool[random.Next(Pool.Length)]).ToList();
            foreach (var array in (ArrowArray[])[ComputeData.Dict(values), ComputeData.Utf8(values)])
            {
                Assert.Equal(Expected(values, listed), Actual(Membership.In(array, listed)!));
                if (values.Length > 3)
                {
                    // A slice: rows from an offset into shared buffers.
                    var from = random.Next(values.Length / 2);
                    var length = random.Next(values.Length - from);
                    Assert.Equal(Expected(values[from..(from + length)], listed), Actual(Membership.In(array.Slice(from, length), listed)!));
                }
            }
        }
    }

    [Fact]
    public void A_null_dictionary_entry_answers_null_where_rows_point_at_it()
    {
        var entries = ComputeData.Utf8("a", null, "b");
        var indices = new byte[5 * 4];
        int[] rows = [0, 1, 2, 1, 0];
        Buffer.BlockCopy(rows, 0, indices, 0, indices.Length);
        var column = ArrowArray.Create(new ArrayData(ArrowType.DictionaryUtf8, 5, 0, [ReadOnlyMemory<byte>.Empty, indices], 0, entries.Data));
        Assert.Equal([true, null, false, null, true], Actual(Membership.In(column, ["a"])!));
    }

    [Fact]
    public void Other_columns_are_left_to_the_caller()
    {
        Assert.Null(Membership.In(ComputeData.Int64(1, 2), ["1"]));
        Assert.Null(Membership.In(ComputeData.Large(ComputeData.Utf8("a")), ["a"]));
    }
}
