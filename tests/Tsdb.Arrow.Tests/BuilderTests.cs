using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Tests;

public sealed class BuilderTests
{
    [Fact]
    public void Primitive_builder_keeps_values_and_nulls()
    {
        using var b = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        b.Append(1);
        b.AppendNull();
        b.AppendRange([3L, 4L]);
        b.Append((long?)null);
        var array = (Int64Array)b.Build();
        Assert.Equal(5, array.Length);
        Assert.Equal(2, array.NullCount);
        Assert.Equal([1L, null, 3L, 4L, null], Enumerable.Range(0, 5).Select(array.Get));
        Assert.Equal(0, b.Length);
    }

    [Fact]
    public void Columns_without_nulls_carry_no_validity_bitmap()
    {
        using var b = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        for (var i = 0; i < 1000; i++)
        {
            b.Append(i);
        }
        var array = b.Build();
        Assert.True(array.Data.Buffers[0].IsEmpty);
        Assert.Equal(0, array.NullCount);
    }

    [Fact]
    public void First_null_after_many_values_backfills_the_bitmap()
    {
        using var b = new PrimitiveArrayBuilder<int>(ArrowType.Int32);
        for (var i = 0; i < 13; i++)
        {
            b.Append(i);
        }
        b.AppendNull();
        b.Append(14);
        var array = b.Build();
        Assert.Equal(1, array.NullCount);
        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(i == 13, array.IsNull(i));
        }
    }

    [Fact]
    public void Large_buffers_are_pinned_and_stay_64_byte_aligned_through_a_collection()
    {
        // Blocks from 128 KiB up live on the pinned heap (smaller ones are ordinary arrays the GC may move): 80,000 bytes
        // of values take a 128 KiB block.
        using var b = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        for (var i = 0; i < 10_000; i++)
        {
            b.Append(i);
        }
        var array = b.Build();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Assert.Equal(10_000 * 8, array.Data.Buffers[1].Length);
        unsafe
        {
            fixed (byte* p = array.Data.Buffers[1].Span)
            {
                Assert.Equal(0, (long)p % AlignedMemoryPool.Alignment);
            }
        }
    }

    [Fact]
    public void Dictionary_builder_stores_each_distinct_value_once()
    {
        using var b = new DictionaryArrayBuilder();
        string?[] input = ["us-east", "eu", "us-east", null, "ü", "eu", ""];
        foreach (var s in input)
        {
            b.Append(s);
        }
        var array = b.Build();
        Assert.Equal(4, array.Dictionary.Length);
        Assert.Equal(input, Enumerable.Range(0, input.Length).Select(i => (string?)array.GetObject(i)));
        Assert.Equal([0, 1, 0, 0, 2, 1, 3], array.Int32Indices.ToArray());
    }

    [Fact]
    public void Dictionary_builder_survives_rehashing_with_many_values()
    {
        using var b = new DictionaryArrayBuilder();
        for (var i = 0; i < 50_000; i++)
        {
            b.Append($"host_{i % 10_000}");
        }
        var array = b.Build();
        Assert.Equal(10_000, array.Dictionary.Length);
        Assert.Equal("host_9999", array.GetObject(49_999));
    }

    [Fact]
    public void Appended_indices_must_name_dictionary_entries()
    {
        using var b = new DictionaryArrayBuilder();
        Assert.Equal(0, b.AddValue("a"u8));
        Assert.Equal(1, b.AddValue("b"u8));
        b.AppendIndices([1, 1, 1, 0, 0, 1]);
        foreach (var bad in new int[][] { [0, 1, 2], [-1], [1, 0, 1, 0, 7, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0] })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => b.AppendIndices(bad));
            Assert.Contains($"dictionary index {bad.First(i => i is < 0 or > 1)} outside a dictionary of 2", error.Message, StringComparison.Ordinal);
        }
        using var empty = new DictionaryArrayBuilder();
        empty.AppendIndices([]);
        Assert.Throws<ArgumentOutOfRangeException>(() => empty.AppendIndices([0]));
        var array = b.Build();
        Assert.Equal(["b", "b", "b", "a", "a", "b"], Enumerable.Range(0, array.Length).Select(i => (string?)array.GetObject(i)));
    }

    [Fact]
    public void Boolean_and_string_builders()
    {
        using var bools = new BooleanArrayBuilder();
        bool?[] values = [true, false, null, true, true, false, false, true, true, null];
        foreach (var v in values)
        {
            bools.Append(v);
        }
        var boolArray = bools.Build();
        Assert.Equal(values, Enumerable.Range(0, values.Length).Select(boolArray.Get));

        using var strings = new VariableWidthArrayBuilder(ArrowType.Utf8);
        string?[] texts = ["", "zażółć", null, new string('x', 1000), "😀"];
        foreach (var t in texts)
        {
            strings.Append(t);
        }
        var stringArray = (StringArray)strings.Build();
        Assert.Equal(texts, Enumerable.Range(0, texts.Length).Select(stringArray.GetString));
    }

    [Fact]
    public void Slices_share_buffers_and_count_their_own_nulls()
    {
        using var b = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        for (var i = 0; i < 20; i++)
        {
            if (i % 3 == 0)
            {
                b.AppendNull();
            }
            else
            {
                b.Append(i);
            }
        }
        var array = (Int64Array)b.Build();
        var slice = (Int64Array)array.Slice(5, 10);
        Assert.Equal(3, slice.NullCount); // 6, 9, 12
        Assert.Equal(5, slice.GetValue(0));
        Assert.True(slice.IsNull(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Slice(15, 6));
    }

    [Fact]
    public void Appending_allocates_nothing_per_value_in_steady_state()
    {
        using var ints = new PrimitiveArrayBuilder<long>(ArrowType.Int64);
        using var floats = new PrimitiveArrayBuilder<double>(ArrowType.Float64);
        using var tags = new DictionaryArrayBuilder();
        using var bools = new BooleanArrayBuilder();
        using var strings = new VariableWidthArrayBuilder(ArrowType.Utf8);
        var tagValues = Enumerable.Range(0, 100).Select(i => System.Text.Encoding.UTF8.GetBytes($"host_{i}")).ToArray();
        void Fill()
        {
            for (var i = 0; i < 100_000; i++)
            {
                ints.Append(i);
                floats.Append(i * 0.5);
                tags.Append(tagValues[i % 100]);
                bools.Append((i & 1) == 0);
                strings.Append(tagValues[i % 100]);
                if (i % 10 == 0)
                {
                    ints.AppendNull();
                    floats.AppendNull();
                    tags.AppendNull();
                    bools.AppendNull();
                    strings.AppendNull();
                }
            }
        }
        void Reset()
        {
            ints.Clear();
            floats.Clear();
            tags.Clear();
            bools.Clear();
            strings.Clear();
        }
        for (var warmUp = 0; warmUp < 3; warmUp++)
        {
            Fill(); // buffers reach their size, and the JIT its final code
            Reset();
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        Fill();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // 550,000 appends: any allocation per value would be megabytes. A few kilobytes can come from the runtime
        // itself (a method moving to optimised code mid-loop did it once in CI), which is not the builders'.
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated by 550,000 appends");
    }

    [Fact]
    public void Dictionary_entries_added_without_rows_are_referenced_by_index()
    {
        using var builder = new DictionaryArrayBuilder();
        var b = builder.AddValue("b"u8);
        var a = builder.AddValue("a"u8);
        Assert.Equal(b, builder.AddValue("b"u8));
        Assert.Equal(0, builder.Length);
        builder.AppendIndices([a, b, a]);
        builder.AppendNull();
        Assert.Equal(a, builder.Append("a"u8));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AppendIndices([2]));
        var array = builder.Build();
        Assert.Equal(new object?[] { "a", "b", "a", null, "a" }, Enumerable.Range(0, array.Length).Select(array.GetObject));
        Assert.Equal(2, array.Dictionary.Length);
    }
}
