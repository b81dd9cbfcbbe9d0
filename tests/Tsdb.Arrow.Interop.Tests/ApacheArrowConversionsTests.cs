using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Tests;
using Tsdb.Arrow.Types;
using AA = Apache.Arrow;
using AI = Apache.Arrow.Ipc;
using AM = Apache.Arrow.Memory;
using AT = Apache.Arrow.Types;

namespace Tsdb.Arrow.Interop.Tests;

public sealed class ApacheArrowConversionsTests
{
    public static TheoryData<int, int> Slices() => new() { { 0, 300 }, { 3, 100 }, { 9, 0 }, { 299, 1 }, { 0, 0 } };

    [Theory]
    [MemberData(nameof(Slices))]
    public void Tsdb_batches_become_apache_batches_over_the_same_memory(int offset, int length)
    {
        using var source = TestBatches.EveryType(300, seed: 1);
        var batch = source.Slice(offset, length);
        var converted = batch.ToApacheArrow();

        AssertSameSchema(batch.Schema, converted.Schema);
        Assert.Equal(batch.Length, converted.Length);
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            AssertSameValues(batch.Column(c), converted.Column(c));
            AssertSharesBuffers(batch.Column(c).Data, converted.Column(c).Data);
        }
    }

    [Theory]
    [MemberData(nameof(Slices))]
    public void Apache_batches_become_tsdb_batches_over_the_same_memory(int offset, int length)
    {
        // Apache.Arrow's own arrays (native memory), sliced by Apache.Arrow itself.
        var source = ApacheBatch(300);
        var batch = source.Slice(offset, length);
        var converted = batch.ToTsdbArrow();

        AssertSameSchema(converted.Schema, batch.Schema);
        Assert.Equal(batch.Length, converted.Length);
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            AssertSameValues(converted.Column(c), batch.Column(c));
            AssertSharesBuffers(converted.Column(c).Data, batch.Column(c).Data);
        }
    }

    [Fact]
    public void A_round_trip_through_apache_arrow_ends_on_the_original_memory()
    {
        using var source = TestBatches.EveryType(257, seed: 2);
        var back = source.ToApacheArrow().ToTsdbArrow();
        Assert.True(back.Schema.IsEquivalentTo(source.Schema));
        for (var c = 0; c < source.ColumnCount; c++)
        {
            Assert.True(ArrayComparer.Equals(source.Column(c).Data, back.Column(c).Data), source.Schema[c].Name);
            for (var b = 0; b < source.Column(c).Data.Buffers.Length; b++)
            {
                Assert.True(SameStart(source.Column(c).Data.Buffers[b].Span, back.Column(c).Data.Buffers[b].Span), $"{source.Schema[c].Name} buffer {b}");
            }
        }
    }

    [Fact]
    public void Batches_apache_arrow_reads_from_ipc_convert_without_copies()
    {
        var apache = ApacheBatch(100);
        var stream = new MemoryStream();
        using (var writer = new AI.ArrowStreamWriter(stream, apache.Schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(apache);
            writer.WriteRecordBatch(ApacheBatch(0));
            writer.WriteEnd();
        }
        using var reader = new AI.ArrowStreamReader(new MemoryStream(stream.ToArray()));
        var schema = reader.Schema.ToTsdbArrow();
        while (reader.ReadNextRecordBatch() is { } read)
        {
            using var converted = read.ToTsdbArrow(schema, takeOwnership: true);
            for (var c = 0; c < read.ColumnCount; c++)
            {
                AssertSameValues(converted.Column(c), read.Column(c));
                AssertSharesBuffers(converted.Column(c).Data, read.Column(c).Data);
            }
        }
    }

    [Fact]
    public void Taking_ownership_disposes_the_apache_batch_with_the_tsdb_one()
    {
        var bytes = ApacheStream(ApacheBatch(50));
        var allocator = new TrackingAllocator();
        using (var reader = new AI.ArrowStreamReader(new MemoryStream(bytes), allocator))
        {
            var read = reader.ReadNextRecordBatch()!;
            var backing = allocator.Backing(read);
            Assert.NotEmpty(backing);
            read.ToTsdbArrow().Dispose();
            Assert.DoesNotContain(backing, o => o.Disposed);
        }

        allocator = new TrackingAllocator();
        using (var reader = new AI.ArrowStreamReader(new MemoryStream(bytes), allocator))
        {
            var read = reader.ReadNextRecordBatch()!;
            var backing = allocator.Backing(read);
            var owned = read.ToTsdbArrow(takeOwnership: true);
            Assert.DoesNotContain(backing, o => o.Disposed);
            owned.Dispose();
            Assert.All(backing, o => Assert.True(o.Disposed));
        }
    }

    [Fact]
    public void Disposing_the_apache_view_leaves_the_tsdb_batch_intact()
    {
        using var source = TestBatches.EveryType(64, seed: 3);
        var before = Enumerable.Range(0, source.ColumnCount).Select(c => Enumerable.Range(0, source.Length).Select(i => Cell(source.Column(c), i)).ToList()).ToList();
        source.ToApacheArrow().Dispose();
        for (var c = 0; c < source.ColumnCount; c++)
        {
            Assert.Equal(before[c], Enumerable.Range(0, source.Length).Select(i => Cell(source.Column(c), i)));
        }
    }

    [Fact]
    public void Empty_apache_arrays_without_offsets_get_a_zero_offset()
    {
        var data = new AA.ArrayData(AT.StringType.Default, 0, 0, 0, [AA.ArrowBuffer.Empty, AA.ArrowBuffer.Empty, AA.ArrowBuffer.Empty], []);
        var converted = (StringArray)new AA.StringArray(data).ToTsdbArrow();
        Assert.Equal(0, converted.Length);
        Assert.Equal([0], converted.Offsets.ToArray());
    }

    [Fact]
    public void Types_tsdb_arrow_lacks_are_refused_by_name()
    {
        var date = new AA.Date32Array.Builder().Append(new DateTime(2026, 12, 6)).Build();
        Assert.Equal("Apache.Arrow type date32 has no Tsdb.Arrow counterpart", Assert.Throws<NotSupportedException>(() => date.ToTsdbArrow()).Message);
        var view = new AA.StringViewArray.Builder().Append("x").Build();
        Assert.StartsWith("Apache.Arrow type utf8view has no Tsdb.Arrow counterpart, and its layout", Assert.Throws<NotSupportedException>(() => view.ToTsdbArrow()).Message, StringComparison.Ordinal);
        var list = new AT.ListType(AT.Int32Type.Default);
        Assert.Throws<NotSupportedException>(() => new AA.Schema([new AA.Field("l", list, true, null)], null).ToTsdbArrow());
    }

    [Fact]
    public void Duplicate_metadata_keys_are_refused_for_apache_arrow()
    {
        var field = new Field("v", ArrowType.Int64, true, [new("k", "1"), new("k", "2")]);
        var error = Assert.Throws<ArgumentException>(() => field.ToApacheArrow());
        Assert.StartsWith("field 'v': metadata key 'k' appears twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_short_apache_buffers_are_refused()
    {
        var data = new AA.ArrayData(AT.Int64Type.Default, 10, 0, 0, [AA.ArrowBuffer.Empty, new AA.ArrowBuffer(new byte[79])], []);
        var error = Assert.Throws<ArgumentException>(() => data.ToTsdbArrow());
        Assert.StartsWith("int64 array of 10 values at offset 0: values buffer of 79 bytes, 80 needed", error.Message, StringComparison.Ordinal);
    }

    private static void AssertSameSchema(Schema tsdb, AA.Schema apache)
    {
        Assert.Equal(tsdb.FieldCount, apache.FieldsList.Count);
        Assert.Equal(tsdb.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), (apache.Metadata ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal));
        for (var i = 0; i < tsdb.FieldCount; i++)
        {
            var (ours, theirs) = (tsdb[i], apache.FieldsList[i]);
            Assert.Equal(ours.Name, theirs.Name);
            Assert.Equal(ours.IsNullable, theirs.IsNullable);
            Assert.Equal(ours.Metadata, theirs.HasMetadata ? theirs.Metadata.ToList() : []);
            Assert.Equal(ours.Type, theirs.DataType.ToTsdbArrow());
            Assert.Equal(ours.Type.ToString(), Describe(theirs.DataType));
        }
    }

    /// <summary>Apache.Arrow's type, spelt as Tsdb.Arrow's ToString, from Apache.Arrow's own properties.</summary>
    private static string Describe(AT.IArrowType type) => type switch
    {
        AT.TimestampType t => t.Timezone is null ? $"timestamp[{Unit(t.Unit)}]" : $"timestamp[{Unit(t.Unit)}, tz={t.Timezone}]",
        AT.DictionaryType d => $"dictionary<{Describe(d.IndexType)}, {Describe(d.ValueType)}>",
        AT.FloatType => "float32",
        AT.DoubleType => "float64",
        AT.StringType => "utf8",
        AT.LargeStringType => "largeutf8",
        AT.BooleanType => "boolean",
        AT.LargeBinaryType => "largebinary",
        _ => type.Name,
    };

    private static string Unit(AT.TimeUnit unit) => unit switch
    {
        AT.TimeUnit.Second => "s",
        AT.TimeUnit.Millisecond => "ms",
        AT.TimeUnit.Microsecond => "us",
        _ => "ns",
    };

    /// <summary>One cell as exact text (floats as their bits, binary as hex), read by each library's own accessors.</summary>
    private static string Cell(ArrowArray array, int i) => array.IsNull(i) ? "null" : ArrowCanonicalJson.Value(array, i);

    private static string Cell(AA.IArrowArray array, int i) => array.IsNull(i) ? "null" : ApacheCanonicalJson.Value(array, i);

    private static void AssertSameValues(ArrowArray tsdb, AA.IArrowArray apache)
    {
        Assert.Equal(tsdb.Length, apache.Length);
        Assert.Equal(tsdb.NullCount, apache.NullCount);
        for (var i = 0; i < tsdb.Length; i++)
        {
            Assert.Equal(Cell(tsdb, i), Cell(apache, i));
        }
    }

    /// <summary>Every non-empty buffer starts at the same address on both sides, dictionaries included.</summary>
    private static void AssertSharesBuffers(ArrayData tsdb, AA.ArrayData apache)
    {
        if (tsdb.Type.Id == ArrowTypeId.Null)
        {
            // Nothing to share: a null array has no buffers, and its offset means nothing.
            Assert.Empty(tsdb.Buffers);
            return;
        }
        Assert.Equal(tsdb.Offset, apache.Offset);
        Assert.Equal(tsdb.Buffers.Length, apache.Buffers.Length);
        var shared = 0;
        for (var b = 0; b < tsdb.Buffers.Length; b++)
        {
            if (tsdb.Buffers[b].IsEmpty && apache.Buffers[b].IsEmpty)
            {
                continue;
            }
            Assert.True(SameStart(tsdb.Buffers[b].Span, apache.Buffers[b].Span), $"{tsdb.Type} buffer {b} was copied");
            Assert.Equal(tsdb.Buffers[b].Length, apache.Buffers[b].Length);
            shared++;
        }
        if (tsdb.Length > 0)
        {
            Assert.True(shared > 0, $"{tsdb.Type}: no buffer to compare");
        }
        if (tsdb.Dictionary is not null)
        {
            AssertSharesBuffers(tsdb.Dictionary, apache.Dictionary);
        }
    }

    private static bool SameStart(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        Unsafe.AreSame(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b));

    private static byte[] ApacheStream(AA.RecordBatch batch)
    {
        var stream = new MemoryStream();
        using (var writer = new AI.ArrowStreamWriter(stream, batch.Schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }
        return stream.ToArray();
    }

    /// <summary>A batch made by Apache.Arrow's builders, one column per type both libraries have.</summary>
    private static AA.RecordBatch ApacheBatch(int rows)
    {
        var rng = new Random(rows);
        bool Null() => rng.Next(4) == 0;
        var dictionaryType = new AT.DictionaryType(AT.Int16Type.Default, AT.StringType.Default, false);
        var dictionary = new AA.StringArray.Builder().Append("a").Append("zażółć").Append("").Build();
        var schema = new AA.Schema(
            [
                new AA.Field("time", new AT.TimestampType(AT.TimeUnit.Nanosecond, (string?)null), false, [new("iox::column::type", "iox::column_type::timestamp")]),
                new AA.Field("time_tz", new AT.TimestampType(AT.TimeUnit.Millisecond, "UTC"), true, null),
                new AA.Field("host", dictionaryType, true, [new("iox::column::type", "iox::column_type::tag")]),
                new AA.Field("i8", AT.Int8Type.Default, true, null), new AA.Field("i32", AT.Int32Type.Default, true, null),
                new AA.Field("u64", AT.UInt64Type.Default, true, null), new AA.Field("f32", AT.FloatType.Default, true, null),
                new AA.Field("f64", AT.DoubleType.Default, true, null), new AA.Field("flag", AT.BooleanType.Default, true, null),
                new AA.Field("s", AT.StringType.Default, true, null), new AA.Field("b", AT.BinaryType.Default, true, null),
                new AA.Field("ls", AT.LargeStringType.Default, true, null), new AA.Field("lb", AT.LargeBinaryType.Default, true, null),
                new AA.Field("nothing", AT.NullType.Default, true, null),
            ],
            [new("origin", "apache-arrow-csharp")]);
        var time = new AA.Int64Array.Builder();
        var timeTz = new AA.Int64Array.Builder();
        var indices = new AA.Int16Array.Builder();
        var i8 = new AA.Int8Array.Builder();
        var i32 = new AA.Int32Array.Builder();
        var u64 = new AA.UInt64Array.Builder();
        var f32 = new AA.FloatArray.Builder();
        var f64 = new AA.DoubleArray.Builder();
        var flag = new AA.BooleanArray.Builder();
        var s = new AA.StringArray.Builder();
        var b = new AA.BinaryArray.Builder();
        var ls = new AA.LargeStringArray.Builder();
        var lb = new AA.LargeBinaryArray.Builder();
        for (var i = 0; i < rows; i++)
        {
            time.Append(1_700_000_000_000_000_001 + i);
            if (Null()) { timeTz.AppendNull(); } else { timeTz.Append(-1000L * i); }
            if (Null()) { indices.AppendNull(); } else { indices.Append((short)rng.Next(3)); }
            if (Null()) { i8.AppendNull(); } else { i8.Append((sbyte)rng.Next(-128, 128)); }
            if (Null()) { i32.AppendNull(); } else { i32.Append(rng.Next()); }
            if (Null()) { u64.AppendNull(); } else { u64.Append(ulong.MaxValue - (ulong)i); }
            if (Null()) { f32.AppendNull(); } else { f32.Append(i % 5 == 0 ? float.NaN : (float)rng.NextDouble()); }
            if (Null()) { f64.AppendNull(); } else { f64.Append(i % 5 == 0 ? -0.0 : rng.NextDouble()); }
            if (Null()) { flag.AppendNull(); } else { flag.Append(rng.Next(2) == 0); }
            if (Null()) { s.AppendNull(); } else { s.Append($"värde-{i}"); }
            if (Null()) { b.AppendNull(); } else { b.Append([(byte)i, 0]); }
            if (Null()) { ls.AppendNull(); } else { ls.Append($"large-{i}"); }
            if (Null()) { lb.AppendNull(); } else { lb.Append([(byte)(i * 3)]); }
        }
        var timeArray = time.Build();
        var timeTzArray = timeTz.Build();
        AA.IArrowArray[] columns =
        [
            new AA.TimestampArray(new AA.ArrayData(schema.FieldsList[0].DataType, rows, 0, 0, timeArray.Data.Buffers, [])),
            new AA.TimestampArray(new AA.ArrayData(schema.FieldsList[1].DataType, rows, timeTzArray.NullCount, 0, timeTzArray.Data.Buffers, [])),
            new AA.DictionaryArray(dictionaryType, indices.Build(), dictionary),
            i8.Build(), i32.Build(), u64.Build(), f32.Build(), f64.Build(), flag.Build(), s.Build(), b.Build(), ls.Build(), lb.Build(),
            new AA.NullArray(rows),
        ];
        return new AA.RecordBatch(schema, columns, rows);
    }

    /// <summary>Managed blocks whose disposal is recorded, to see who frees Apache.Arrow's buffers.</summary>
    private sealed class TrackingAllocator() : AM.MemoryAllocator(64)
    {
        public List<TrackedOwner> Owners { get; } = [];

        /// <summary>The blocks that the batch's buffers point into.</summary>
        public List<TrackedOwner> Backing(AA.RecordBatch batch)
        {
            var arrays = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
            foreach (var column in batch.Arrays)
            {
                foreach (var buffer in column.Data.Buffers)
                {
                    if (!buffer.IsEmpty && MemoryMarshal.TryGetArray(buffer.Memory, out var segment))
                    {
                        arrays.Add(segment.Array!);
                    }
                }
            }
            return [.. Owners.Where(o => arrays.Contains(o.Array))];
        }

        protected override IMemoryOwner<byte> AllocateInternal(int length, out int bytesAllocated)
        {
            var owner = new TrackedOwner(new byte[length]);
            Owners.Add(owner);
            bytesAllocated = length;
            return owner;
        }
    }

    private sealed class TrackedOwner(byte[] array) : IMemoryOwner<byte>
    {
        public bool Disposed { get; private set; }

        public byte[] Array => array;

        public Memory<byte> Memory => array;

        public void Dispose() => Disposed = true;
    }
}
