using Tsdb.Parquet.IO;
using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Tests.Thrift;

/// <summary>The compact protocol against byte sequences worked out from thrift-compact-protocol.md.</summary>
public sealed class ThriftCompactProtocolTests
{
    private static byte[] Write(Action<ThriftCompactWriter> write)
    {
        using var buffer = new ByteBuffer(16);
        write(new ThriftCompactWriter(buffer));
        return buffer.ToArray();
    }

    [Fact]
    public void Short_field_header_carries_the_id_delta_and_type()
    {
        var bytes = Write(w =>
        {
            w.WriteStructBegin();
            w.WriteI32Field(1, 0);
            w.WriteI64Field(3, 1);
            w.WriteFieldStop();
            w.WriteStructEnd();
        });
        Assert.Equal([0x15, 0x00, 0x26, 0x02, 0x00], bytes);

        var reader = new ThriftCompactReader(bytes);
        reader.ReadStructBegin();
        Assert.Equal(new ThriftFieldHeader(1, ThriftType.I32, false), reader.ReadFieldHeader());
        Assert.Equal(0, reader.ReadI32());
        Assert.Equal(new ThriftFieldHeader(3, ThriftType.I64, false), reader.ReadFieldHeader());
        Assert.Equal(1L, reader.ReadI64());
        Assert.True(reader.ReadFieldHeader().IsStop);
        reader.ReadStructEnd();
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public void Delta_of_15_is_short_and_larger_or_backward_deltas_use_the_long_form()
    {
        var bytes = Write(w =>
        {
            w.WriteStructBegin();
            w.WriteI32Field(1, 0);     // 0x15
            w.WriteI32Field(16, 0);    // delta 15: 0xF5
            w.WriteI32Field(32, 0);    // delta 16: long form, zigzag(32) = 64
            w.WriteI32Field(5, 0);     // backwards: long form, zigzag(5) = 10
            w.WriteI32Field(-1, 0);    // negative id: long form, zigzag(-1) = 1
            w.WriteI32Field(300, 0);   // long form, zigzag(300) = 600 = 0xD8 0x04
            w.WriteFieldStop();
            w.WriteStructEnd();
        });
        Assert.Equal([0x15, 0x00, 0xF5, 0x00, 0x05, 0x40, 0x00, 0x05, 0x0A, 0x00, 0x05, 0x01, 0x00, 0x05, 0xD8, 0x04, 0x00, 0x00], bytes);

        var reader = new ThriftCompactReader(bytes);
        reader.ReadStructBegin();
        var ids = new List<short>();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            Assert.Equal(ThriftType.I32, field.Type);
            ids.Add(field.Id);
            reader.ReadI32();
        }
        reader.ReadStructEnd();
        Assert.Equal([1, 16, 32, 5, -1, 300], ids);
    }

    [Fact]
    public void First_field_above_15_uses_the_long_form()
    {
        var bytes = Write(w =>
        {
            w.WriteStructBegin();
            w.WriteStringField(16, "a");
            w.WriteFieldStop();
            w.WriteStructEnd();
        });
        Assert.Equal([0x08, 0x20, 0x01, (byte)'a', 0x00], bytes);
    }

    [Fact]
    public void Bool_fields_carry_their_value_in_the_header()
    {
        var bytes = Write(w =>
        {
            w.WriteStructBegin();
            w.WriteBoolField(1, true);
            w.WriteBoolField(2, false);
            w.WriteBoolField(20, true);
            w.WriteFieldStop();
            w.WriteStructEnd();
        });
        Assert.Equal([0x11, 0x12, 0x01, 0x28, 0x00], bytes);

        var reader = new ThriftCompactReader(bytes);
        reader.ReadStructBegin();
        var first = reader.ReadFieldHeader();
        Assert.Equal(new ThriftFieldHeader(1, ThriftType.Bool, true), first);
        Assert.True(reader.ReadBool()); // ReadBool right after a bool header returns the header's value
        var second = reader.ReadFieldHeader();
        Assert.Equal(new ThriftFieldHeader(2, ThriftType.Bool, false), second);
        reader.Skip(second.Type); // consumes nothing
        Assert.Equal(2, reader.Position);
        Assert.Equal(new ThriftFieldHeader(20, ThriftType.Bool, true), reader.ReadFieldHeader());
        Assert.True(reader.ReadFieldHeader().IsStop);
        reader.ReadStructEnd();
    }

    public static TheoryData<int, byte[]> I32Cases => new()
    {
        { 0, [0x00] },
        { -1, [0x01] },
        { 1, [0x02] },
        { -2, [0x03] },
        { 63, [0x7E] },
        { -64, [0x7F] },
        { 64, [0x80, 0x01] },
        { int.MaxValue, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F] },
        { int.MinValue, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F] },
    };

    [Theory]
    [MemberData(nameof(I32Cases))]
    public void I32_is_a_zigzag_varint(int value, byte[] expected)
    {
        Assert.Equal(expected, Write(w => w.WriteI32(value)));
        var reader = new ThriftCompactReader(expected);
        Assert.Equal(value, reader.ReadI32());
        Assert.Equal(expected.Length, reader.Position);
    }

    public static TheoryData<long, byte[]> I64Cases => new()
    {
        { 0L, [0x00] },
        { -1L, [0x01] },
        { 1L, [0x02] },
        { long.MaxValue, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        { long.MinValue, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        { (long)int.MaxValue + 1, [0x80, 0x80, 0x80, 0x80, 0x10] },
    };

    [Theory]
    [MemberData(nameof(I64Cases))]
    public void I64_is_a_zigzag_varint(long value, byte[] expected)
    {
        Assert.Equal(expected, Write(w => w.WriteI64(value)));
        var reader = new ThriftCompactReader(expected);
        Assert.Equal(value, reader.ReadI64());
        Assert.Equal(expected.Length, reader.Position);
    }

    [Theory]
    [InlineData((short)0, new byte[] { 0x00 })]
    [InlineData(short.MaxValue, new byte[] { 0xFE, 0xFF, 0x03 })]
    [InlineData(short.MinValue, new byte[] { 0xFF, 0xFF, 0x03 })]
    public void I16_is_a_zigzag_varint(short value, byte[] expected)
    {
        Assert.Equal(expected, Write(w => w.WriteI16(value)));
        var reader = new ThriftCompactReader(expected);
        Assert.Equal(value, reader.ReadI16());
    }

    [Fact]
    public void I8_is_one_byte()
    {
        Assert.Equal([0xFF, 0x7F, 0x80], Write(w =>
        {
            w.WriteI8(-1);
            w.WriteI8(sbyte.MaxValue);
            w.WriteI8(sbyte.MinValue);
        }));
        var reader = new ThriftCompactReader([0xFF, 0x7F, 0x80]);
        Assert.Equal(-1, reader.ReadI8());
        Assert.Equal(sbyte.MaxValue, reader.ReadI8());
        Assert.Equal(sbyte.MinValue, reader.ReadI8());
    }

    [Fact]
    public void Double_is_eight_bytes_little_endian()
    {
        var bytes = Write(w =>
        {
            w.WriteDouble(1.0);
            w.WriteDouble(-2.5);
        });
        Assert.Equal([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xC0], bytes);
        var reader = new ThriftCompactReader(bytes);
        Assert.Equal(1.0, reader.ReadDouble());
        Assert.Equal(-2.5, reader.ReadDouble());
        var nan = Write(w => w.WriteDouble(double.NaN));
        Assert.True(double.IsNaN(new ThriftCompactReader(nan).ReadDouble()));
    }

    [Fact]
    public void Binary_and_string_are_varint_length_prefixed()
    {
        Assert.Equal([0x02, (byte)'h', (byte)'i'], Write(w => w.WriteString("hi")));
        Assert.Equal([0x00], Write(w => w.WriteBinary([])));
        // The spec's varint example: 50399 = 0xDF 0x89 0x03.
        var large = Write(w => w.WriteBinary(new byte[50399]));
        Assert.Equal([0xDF, 0x89, 0x03], large[..3]);
        Assert.Equal(3 + 50399, large.Length);

        var text = "héllo → 世界";
        var bytes = Write(w =>
        {
            w.WriteString(text);
            w.WriteBinary([1, 2, 3]);
        });
        var reader = new ThriftCompactReader(bytes);
        Assert.Equal(text, reader.ReadString());
        Assert.Equal([1, 2, 3], reader.ReadBinary());
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Theory]
    [InlineData(0, new byte[] { 0x05 })]
    [InlineData(1, new byte[] { 0x15 })]
    [InlineData(14, new byte[] { 0xE5 })]
    [InlineData(15, new byte[] { 0xF5, 0x0F })]
    [InlineData(300, new byte[] { 0xF5, 0xAC, 0x02 })]
    public void List_header_is_short_up_to_14_elements(int count, byte[] expectedHeader)
    {
        var values = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        var bytes = Write(w =>
        {
            w.WriteListHeader(ThriftType.I32, count);
            foreach (var value in values)
            {
                w.WriteI32((int)value);
            }
        });
        Assert.Equal(expectedHeader, bytes[..expectedHeader.Length]);

        var reader = new ThriftCompactReader(bytes);
        var read = reader.ReadList(ThriftType.I32, ThriftElementReaders.I32, "test");
        Assert.Equal(values.Select(v => (int)v), read);
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public void Bool_list_elements_are_one_byte_each()
    {
        // Element type 1 and values 1/2, as Thrift's Java and C++ libraries write them.
        var bytes = Write(w => w.WriteBoolListField(1, [true, false, true]));
        Assert.Equal([0x19, 0x31, 0x01, 0x02, 0x01], bytes);

        // The spec's own encoding (element type 2, false = 0) reads the same.
        var reader = new ThriftCompactReader([0x32, 0x01, 0x00, 0x02]);
        Assert.Equal([true, false, false], reader.ReadList(ThriftType.Bool, ThriftElementReaders.Bool, "test"));
    }

    [Fact]
    public void Nested_structs_restore_the_enclosing_field_id()
    {
        var bytes = Write(w =>
        {
            w.WriteStructBegin();
            w.WriteFieldHeader(1, ThriftType.Struct);
            w.WriteStructBegin();
            w.WriteI32Field(5, -3);
            w.WriteFieldStop();
            w.WriteStructEnd();
            w.WriteI32Field(2, 7);
            w.WriteFieldStop();
            w.WriteStructEnd();
        });
        // Field 2 follows field 1 (delta 1) even though the inner struct's last field was 5.
        Assert.Equal([0x1C, 0x55, 0x05, 0x00, 0x15, 0x0E, 0x00], bytes);

        var reader = new ThriftCompactReader(bytes);
        reader.ReadStructBegin();
        Assert.Equal(new ThriftFieldHeader(1, ThriftType.Struct, false), reader.ReadFieldHeader());
        reader.ReadStructBegin();
        Assert.Equal(new ThriftFieldHeader(5, ThriftType.I32, false), reader.ReadFieldHeader());
        Assert.Equal(-3, reader.ReadI32());
        Assert.True(reader.ReadFieldHeader().IsStop);
        reader.ReadStructEnd();
        Assert.Equal(new ThriftFieldHeader(2, ThriftType.I32, false), reader.ReadFieldHeader());
        Assert.Equal(7, reader.ReadI32());
        Assert.True(reader.ReadFieldHeader().IsStop);
        reader.ReadStructEnd();
        Assert.Equal(0, reader.Depth);
    }

    [Fact]
    public void Map_headers_round_trip_and_empty_maps_are_one_byte()
    {
        Assert.Equal([0x00], Write(w => w.WriteMapHeader(ThriftType.Binary, ThriftType.I32, 0)));
        var bytes = Write(w =>
        {
            w.WriteMapHeader(ThriftType.Binary, ThriftType.I32, 2);
            w.WriteString("a");
            w.WriteI32(1);
            w.WriteString("b");
            w.WriteI32(2);
        });
        Assert.Equal([0x02, 0x85, 0x01, (byte)'a', 0x02, 0x01, (byte)'b', 0x04], bytes);
        var reader = new ThriftCompactReader(bytes);
        Assert.Equal(new ThriftMapHeader(ThriftType.Binary, ThriftType.I32, 2), reader.ReadMapHeader());
        Assert.Equal(new ThriftMapHeader(ThriftType.Stop, ThriftType.Stop, 0), new ThriftCompactReader([0x00]).ReadMapHeader());
    }

    [Fact]
    public void Set_headers_are_list_headers()
    {
        var bytes = Write(w => w.WriteSetHeader(ThriftType.I64, 3));
        Assert.Equal([0x36], bytes);
        Assert.Equal(new ThriftCollectionHeader(ThriftType.I64, 3), new ThriftCompactReader([0x36, 0, 0, 0]).ReadSetHeader());
    }

    [Fact]
    public void Skip_walks_every_type_including_nested_containers()
    {
        var bytes = Write(w =>
        {
            w.WriteStructBegin();
            w.WriteBoolField(1, true);
            w.WriteI8Field(2, -5);
            w.WriteI16Field(3, 1000);
            w.WriteI32Field(4, -100_000);
            w.WriteI64Field(5, long.MinValue);
            w.WriteDoubleField(6, Math.PI);
            w.WriteBinaryField(7, [1, 2, 3, 4]);
            w.WriteListField(8, ThriftType.List, 2);
            w.WriteListHeader(ThriftType.Bool, 2);
            w.WriteBool(true);
            w.WriteBool(false);
            w.WriteListHeader(ThriftType.Struct, 1);
            w.WriteStructBegin();
            w.WriteStringField(1, "x");
            w.WriteFieldStop();
            w.WriteStructEnd();
            w.WriteFieldHeader(9, ThriftType.Set);
            w.WriteSetHeader(ThriftType.Double, 1);
            w.WriteDouble(1.5);
            w.WriteFieldHeader(10, ThriftType.Map);
            w.WriteMapHeader(ThriftType.I32, ThriftType.Map, 1);
            w.WriteI32(1);
            w.WriteMapHeader(ThriftType.Binary, ThriftType.Bool, 1);
            w.WriteString("k");
            w.WriteBool(true);
            w.WriteFieldHeader(11, ThriftType.Uuid);
            w.Output.Append(new byte[16]);
            w.WriteI32Field(12, 99);
            w.WriteFieldStop();
            w.WriteStructEnd();
        });

        var reader = new ThriftCompactReader(bytes);
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            if (field.Id == 12)
            {
                Assert.Equal(99, reader.ReadI32());
                continue;
            }
            reader.Skip(field.Type);
        }
        reader.ReadStructEnd();
        Assert.Equal(bytes.Length, reader.Position);

        var whole = new ThriftCompactReader(bytes);
        whole.Skip(ThriftType.Struct);
        Assert.Equal(bytes.Length, whole.Position);
    }

    public static TheoryData<byte[], string> MalformedI32 => new()
    {
        { [], "Thrift: data ends inside a varint at byte 0" },
        { [0x80], "Thrift: data ends inside a varint at byte 0" },
        { [0xFF, 0xFF, 0xFF, 0xFF, 0x1F], "Thrift: varint does not fit in i32 at byte 0" },
        { [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "Thrift: varint longer than 10 bytes at byte 0" },
        { [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], "Thrift: varint overflows 64 bits at byte 0" },
    };

    [Theory]
    [MemberData(nameof(MalformedI32))]
    public void Malformed_varints_are_refused(byte[] bytes, string message)
    {
        var error = Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader(bytes).ReadI32());
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void I16_out_of_range_is_refused()
    {
        var bytes = Write(w => w.WriteI32(40_000));
        var error = Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader(bytes).ReadI16());
        Assert.Equal("Thrift: i16 value 40000 out of range at byte 0", error.Message);
    }

    public static TheoryData<byte[], string> MalformedBinary => new()
    {
        { [0x05, (byte)'a'], "Thrift: binary of 5 bytes exceeds the 1 bytes left at byte 1" },
        { [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "Thrift: negative binary length -1 at byte 0" },
        { [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "Thrift: binary length 34359738368 does not fit in i32 at byte 0" },
    };

    [Theory]
    [MemberData(nameof(MalformedBinary))]
    public void Binary_lengths_are_checked_against_the_bytes_left(byte[] bytes, string message)
    {
        var error = Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader(bytes).ReadBinary());
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Invalid_utf8_strings_are_refused()
    {
        var error = Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader([0x02, 0xC3, 0x28]).ReadString());
        Assert.Equal("Thrift: string is not valid UTF-8 at byte 0", error.Message);
    }

    public static TheoryData<byte[], string> MalformedLists => new()
    {
        { [0x35, 0x02], "Thrift: list of 3 elements cannot fit in the 1 bytes left at byte 0" },
        { [0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07], "Thrift: list of 2147483647 elements cannot fit in the 0 bytes left at byte 0" },
        { [0xF5, 0x80, 0x80, 0x80, 0x80, 0x08], "Thrift: negative list size -2147483648 at byte 1" },
        { [0x10], "Thrift: invalid element type 0 at byte 0" },
        { [0x1E], "Thrift: invalid element type 14 at byte 0" },
        { [0x11, 0x03], "Thrift: invalid bool element value 3 at byte 1" },
        { [0x1C], "Thrift: list of 1 elements cannot fit in the 0 bytes left at byte 0" },
    };

    [Theory]
    [MemberData(nameof(MalformedLists))]
    public void Malformed_lists_are_refused(byte[] bytes, string message)
    {
        var error = Assert.Throws<ParquetFormatException>(() =>
        {
            var reader = new ThriftCompactReader(bytes);
            reader.Skip(ThriftType.List);
        });
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void List_of_another_element_type_is_refused()
    {
        var error = Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader([0x16, 0x02]).ReadList(ThriftType.I32, ThriftElementReaders.I32, "Test.values"));
        Assert.Equal("Thrift: Test.values is a list<i64>, expected list<i32> at byte 0", error.Message);
        // An empty list's element type does not matter.
        Assert.Empty(new ThriftCompactReader([0x06]).ReadList(ThriftType.I32, ThriftElementReaders.I32, "Test.values"));
    }

    [Fact]
    public void Map_larger_than_the_bytes_left_is_refused()
    {
        var error = Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader([0x03, 0x55, 0x00, 0x00, 0x00, 0x00]).ReadMapHeader());
        Assert.Equal("Thrift: map of 3 entries cannot fit in the 4 bytes left at byte 0", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x1E }, "Thrift: invalid field type 14 at byte 0")]
    [InlineData(new byte[] { 0x1F }, "Thrift: invalid field type 15 at byte 0")]
    [InlineData(new byte[] { 0x10 }, "Thrift: invalid field type 0 at byte 0")]
    [InlineData(new byte[] { 0x05 }, "Thrift: data ends inside a varint at byte 1")]
    [InlineData(new byte[] { 0x05, 0xFE, 0xFF, 0x07 }, "Thrift: i16 value 65535 out of range at byte 1")]
    [InlineData(new byte[] { }, "Thrift: data ends where a byte was expected at byte 0")]
    public void Malformed_field_headers_are_refused(byte[] bytes, string message)
    {
        var error = Assert.Throws<ParquetFormatException>(() =>
        {
            var reader = new ThriftCompactReader(bytes);
            reader.ReadStructBegin();
            reader.ReadFieldHeader();
        });
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Field_id_overflowing_i16_through_deltas_is_refused()
    {
        // Long-form id 32767, then a short header adding 1.
        var error = Assert.Throws<ParquetFormatException>(() =>
        {
            var reader = new ThriftCompactReader([0x05, 0xFE, 0xFF, 0x03, 0x00, 0x15, 0x00]);
            reader.ReadStructBegin();
            Assert.Equal(short.MaxValue, reader.ReadFieldHeader().Id);
            reader.ReadI32();
            reader.ReadFieldHeader();
        });
        Assert.Equal("Thrift: field id 32768 does not fit in i16 at byte 5", error.Message);
    }

    [Fact]
    public void Nesting_is_limited_to_64_levels()
    {
        // 64 nested structs are fine; the 65th is refused.
        static byte[] NestedStructs(int depth)
        {
            var bytes = new List<byte>();
            for (var i = 1; i < depth; i++)
            {
                bytes.Add(0x1C); // field 1, struct
            }
            bytes.AddRange(Enumerable.Repeat((byte)0x00, depth));
            return [.. bytes];
        }
        var ok = new ThriftCompactReader(NestedStructs(64));
        ok.Skip(ThriftType.Struct);
        Assert.Equal(0, ok.Depth);

        var error = Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader(NestedStructs(65)).Skip(ThriftType.Struct));
        Assert.Equal("Thrift: nesting deeper than 64 levels at byte 64", error.Message);

        // Lists of lists count too: each 0x19 is a one-element list of lists.
        var lists = Enumerable.Repeat((byte)0x19, 200).Append((byte)0x05).ToArray();
        error = Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader(lists).Skip(ThriftType.List));
        Assert.Equal("Thrift: nesting deeper than 64 levels at byte 64", error.Message);
    }

    [Fact]
    public void Skip_refuses_a_stop_type()
    {
        var error = Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader([0x00]).Skip(ThriftType.Stop));
        Assert.Equal("Thrift: cannot skip a value of type 0 at byte 0", error.Message);
    }

    [Fact]
    public void Writer_refuses_stop_and_bool_through_the_generic_field_header()
    {
        using var buffer = new ByteBuffer();
        var writer = new ThriftCompactWriter(buffer);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteFieldHeader(1, ThriftType.Bool));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteFieldHeader(1, ThriftType.Stop));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteListHeader(ThriftType.Stop, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteListHeader(ThriftType.I32, -1));
        Assert.Throws<InvalidOperationException>(writer.WriteStructEnd);
    }

    [Fact]
    public void Random_values_round_trip()
    {
        var rng = new Random(1234);
        for (var round = 0; round < 200; round++)
        {
            var ints = Enumerable.Range(0, rng.Next(0, 40)).Select(_ => rng.Next(int.MinValue, int.MaxValue)).ToArray();
            var longs = Enumerable.Range(0, rng.Next(0, 40)).Select(_ => rng.NextInt64(long.MinValue, long.MaxValue) >> rng.Next(64)).ToArray();
            var doubles = Enumerable.Range(0, rng.Next(0, 5)).Select(_ => rng.NextDouble() * 1e300 - 5e299).ToArray();
            var bytes = Write(w =>
            {
                w.WriteStructBegin();
                w.WriteI32ListField(1, ints);
                w.WriteI64ListField(2, longs);
                w.WriteListField(7, ThriftType.Double, doubles.Length);
                foreach (var d in doubles)
                {
                    w.WriteDouble(d);
                }
                w.WriteFieldStop();
                w.WriteStructEnd();
            });
            var reader = new ThriftCompactReader(bytes);
            reader.ReadStructBegin();
            Assert.Equal(new ThriftFieldHeader(1, ThriftType.List, false), reader.ReadFieldHeader());
            Assert.Equal(ints, reader.ReadList(ThriftType.I32, ThriftElementReaders.I32, "ints"));
            Assert.Equal(new ThriftFieldHeader(2, ThriftType.List, false), reader.ReadFieldHeader());
            Assert.Equal(longs, reader.ReadList(ThriftType.I64, ThriftElementReaders.I64, "longs"));
            Assert.Equal(new ThriftFieldHeader(7, ThriftType.List, false), reader.ReadFieldHeader());
            Assert.Equal(doubles, reader.ReadList(ThriftType.Double, static (ref ThriftCompactReader r) => r.ReadDouble(), "doubles"));
            Assert.True(reader.ReadFieldHeader().IsStop);
            reader.ReadStructEnd();
            Assert.Equal(bytes.Length, reader.Position);
        }
    }
}
