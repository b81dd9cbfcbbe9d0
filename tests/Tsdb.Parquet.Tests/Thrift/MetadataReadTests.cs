using Tsdb.Parquet.IO;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Tests.Thrift;

/// <summary>Reading hand-assembled metadata: unknown fields and members, encryption, missing and mistyped fields.</summary>
public sealed class MetadataReadTests
{
    [Fact]
    public void Unknown_field_holding_a_struct_with_a_list_is_skipped()
    {
        byte[] bytes =
        [
            0x15, 0x02,                                     // 1: version = 1
            0x19, 0x1C,                                     // 2: schema, list of 1 struct
            0x48, 0x06, .. "schema"u8,                      //    4: name
            0x15, 0x00,                                     //    5: num_children = 0
            0x00,
            0x16, 0x00,                                     // 3: num_rows = 0
            0x19, 0x0C,                                     // 4: row_groups, empty list of structs
            0x0C, 0xC6, 0x01,                               // 99 (long form): struct
            0x19, 0x35, 0x02, 0x04, 0x06,                   //    1: list<i32> [1, 2, 3]
            0x2B, 0x01, 0x85, 0x01, (byte)'k', 0x02,        //    3: map<string, i32> {"k": 1}
            0x00,
            0x08, 0x0C, 0x02, (byte)'h', (byte)'i',         // 6 (long form, after 99): created_by = "hi"
            0x00,
        ];
        var metadata = FileMetaData.Parse(bytes);
        Assert.Equal(1, metadata.Version);
        Assert.Equal("schema", Assert.Single(metadata.Schema).Name);
        Assert.Equal(0, metadata.Schema[0].NumChildren);
        Assert.Equal(0, metadata.NumRows);
        Assert.Empty(metadata.RowGroups);
        Assert.Equal("hi", metadata.CreatedBy);
        Assert.Null(metadata.KeyValueMetadata);

        // Cut inside the unknown field: the error says where.
        var error = Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(bytes.AsSpan(0, 25)));
        Assert.Equal("Thrift: list of 3 elements cannot fit in the 1 bytes left at byte 23", error.Message);
    }

    [Fact]
    public void Bytes_after_the_footer_struct_are_ignored()
    {
        var bytes = MetadataSamples.RequiredFileMetaData().Serialize();
        var metadata = FileMetaData.Parse([.. bytes, 0xFF, 0xFF]);
        Assert.Equal("schema", metadata.Schema[0].Name);
    }

    [Theory]
    [InlineData(8, 0x0C)] // encryption_algorithm (a union)
    [InlineData(9, 0x08)] // footer_signing_key_metadata (binary)
    public void Encrypted_footers_are_refused(int fieldId, byte type)
    {
        var plain = MetadataSamples.RequiredFileMetaData().Serialize();
        // Replace the final stop byte by the encryption field (long form, so the previous id does not matter).
        byte[] bytes = [.. plain[..^1], type, (byte)(fieldId * 2), 0x00, 0x00];
        var error = Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(bytes));
        Assert.Equal("encrypted Parquet files are not supported", error.Message);
    }

    [Fact]
    public void Encrypted_column_metadata_is_refused()
    {
        byte[] chunk = [0x26, 0x00, 0x78, 0x02, 0x01, 0x02, 0x00]; // 2: file_offset = 0, 9: encrypted_column_metadata
        var error = Assert.Throws<ParquetFormatException>(() =>
        {
            var reader = new ThriftCompactReader(chunk);
            ColumnChunk.Read(ref reader);
        });
        Assert.Equal("encrypted Parquet files are not supported", error.Message);
    }

    [Fact]
    public void Missing_required_field_names_the_struct_and_field()
    {
        // version, schema (empty), row_groups (empty) but no num_rows.
        byte[] bytes = [0x15, 0x02, 0x19, 0x0C, 0x29, 0x0C, 0x00];
        var error = Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(bytes));
        Assert.Equal("Thrift: required field FileMetaData.num_rows is missing in the struct ending at byte 6", error.Message);

        byte[] schemaWithoutName = [0x15, 0x02, 0x19, 0x1C, 0x15, 0x0C, 0x00, 0x16, 0x00, 0x19, 0x0C, 0x00];
        error = Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(schemaWithoutName));
        Assert.Equal("Thrift: required field SchemaElement.name is missing in the struct ending at byte 6", error.Message);

        byte[] pageHeader = [0x15, 0x00, 0x15, 0x02, 0x00];
        error = Assert.Throws<ParquetFormatException>(() => PageHeader.Parse(pageHeader, out _));
        Assert.Equal("Thrift: required field PageHeader.compressed_page_size is missing in the struct ending at byte 4", error.Message);
    }

    [Fact]
    public void Known_field_with_another_type_is_refused()
    {
        byte[] bytes = [0x16, 0x02, 0x00]; // version as i64
        var error = Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(bytes));
        Assert.Equal("Thrift: field FileMetaData.version (id 1) has type i64, expected i32 at byte 1", error.Message);

        byte[] sorting = [0x15, 0x00, 0x15, 0x02, 0x11, 0x00]; // descending as i32
        error = Assert.Throws<ParquetFormatException>(() =>
        {
            var reader = new ThriftCompactReader(sorting);
            SortingColumn.Read(ref reader);
        });
        Assert.Equal("Thrift: field SortingColumn.descending (id 2) has type i32, expected bool at byte 3", error.Message);
    }

    [Fact]
    public void Unknown_logical_type_member_reads_as_other()
    {
        // SchemaElement { 4: name "v", 10: LogicalType { 16: VARIANT { 1: i8 1 } } }
        byte[] variant = [0x48, 0x01, (byte)'v', 0x6C, 0x0C, 0x20, 0x13, 0x01, 0x00, 0x00, 0x00];
        var reader = new ThriftCompactReader(variant);
        var element = SchemaElement.Read(ref reader);
        Assert.Equal(LogicalTypeKind.Other, element.LogicalType!.Kind);
        Assert.Equal(16, element.LogicalType.UnknownMemberId);
        Assert.Equal(variant.Length, reader.Position);

        // GEOMETRY { 1: crs "x" } as the only member.
        byte[] geometry = [0x0C, 0x22, 0x18, 0x01, (byte)'x', 0x00, 0x00];
        reader = new ThriftCompactReader(geometry);
        var logical = LogicalType.Read(ref reader);
        Assert.Equal(LogicalTypeKind.Other, logical.Kind);
        Assert.Equal(17, logical.UnknownMemberId);

        // An empty union reads as Other too.
        reader = new ThriftCompactReader([0x00]);
        Assert.Equal(LogicalTypeKind.Other, LogicalType.Read(ref reader).Kind);
    }

    [Fact]
    public void Logical_type_with_two_members_is_refused()
    {
        byte[] bytes = [0x1C, 0x00, 0x1C, 0x00, 0x00]; // STRING and MAP
        var error = Assert.Throws<ParquetFormatException>(() =>
        {
            var reader = new ThriftCompactReader(bytes);
            LogicalType.Read(ref reader);
        });
        Assert.Equal("Thrift: LogicalType union has more than one member (field 2) at byte 3", error.Message);
    }

    [Fact]
    public void Unknown_time_unit_is_kept_as_its_id()
    {
        // TIMESTAMP { 1: true, 2: TimeUnit { 4: {} } }
        byte[] bytes = [0x8C, 0x11, 0x1C, 0x4C, 0x00, 0x00, 0x00, 0x00];
        var reader = new ThriftCompactReader(bytes);
        var logical = LogicalType.Read(ref reader);
        Assert.Equal(LogicalTypeKind.Timestamp, logical.Kind);
        Assert.Equal((TimeUnitKind)4, logical.TimeUnit);
        Assert.True(logical.TimestampIsAdjustedToUtc);
    }

    [Fact]
    public void Unknown_column_order_member_reads_as_other()
    {
        byte[] bytes = [0x2C, 0x00, 0x00]; // IEEE_754_TOTAL_ORDER
        var reader = new ThriftCompactReader(bytes);
        var order = ColumnOrder.Read(ref reader);
        Assert.Equal(ColumnOrderKind.Other, order.Kind);
        Assert.Equal(2, order.UnknownMemberId);

        reader = new ThriftCompactReader([0x1C, 0x00, 0x00]);
        Assert.Equal(ColumnOrderKind.TypeDefinedOrder, ColumnOrder.Read(ref reader).Kind);
    }

    [Fact]
    public void Unknown_enum_values_are_kept_for_higher_layers_to_refuse()
    {
        // SchemaElement { 1: type 42, 3: repetition 3 (VECTOR), 4: name "x", 6: converted_type 99 }
        byte[] bytes = [0x15, 0x54, 0x25, 0x06, 0x18, 0x01, (byte)'x', 0x25, 0xC6, 0x01, 0x00];
        var reader = new ThriftCompactReader(bytes);
        var element = SchemaElement.Read(ref reader);
        Assert.Equal((PhysicalType)42, element.Type);
        Assert.Equal((FieldRepetitionType)3, element.RepetitionType);
        Assert.Equal((ConvertedType)99, element.ConvertedType);

        var page = new PageHeader { Type = (PageType)9, UncompressedPageSize = 1, CompressedPageSize = 1 };
        using var buffer = new ByteBuffer();
        page.WriteTo(buffer);
        Assert.Equal((PageType)9, PageHeader.Parse(buffer.WrittenSpan, out _).Type);
    }

    [Fact]
    public void Index_page_header_is_skipped()
    {
        // type INDEX_PAGE, sizes 0, 6: index_page_header {}
        byte[] bytes = [0x15, 0x02, 0x15, 0x00, 0x15, 0x00, 0x3C, 0x00, 0x00];
        var header = PageHeader.Parse(bytes, out var length);
        Assert.Equal(PageType.IndexPage, header.Type);
        Assert.Equal(bytes.Length, length);
    }

    [Fact]
    public void Bool_lists_written_the_spec_way_read_the_same()
    {
        // ColumnIndex with null_pages as element type 2 and false = 0, as the spec text describes.
        byte[] bytes = [0x19, 0x22, 0x01, 0x00, 0x19, 0x28, 0x00, 0x00, 0x19, 0x28, 0x00, 0x00, 0x15, 0x02, 0x00];
        var index = ColumnIndex.Parse(bytes);
        Assert.Equal([true, false], index.NullPages);
        Assert.Equal(BoundaryOrder.Ascending, index.BoundaryOrder);
    }

    [Fact]
    public void Huge_list_count_in_a_small_buffer_fails_before_allocating()
    {
        static byte[] Footer(params byte[] listSize)
        {
            var bytes = new byte[100];
            byte[] prefix = [0x15, 0x02, 0x19, 0xFC, .. listSize]; // version 1, schema: list<struct> long form
            prefix.CopyTo(bytes, 0);
            return bytes;
        }
        var twoToThe31 = Footer(0x80, 0x80, 0x80, 0x80, 0x08);
        var intMax = Footer(0xFF, 0xFF, 0xFF, 0xFF, 0x07);
        Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(twoToThe31)); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(twoToThe31));
        var error2 = Assert.Throws<ParquetFormatException>(() => FileMetaData.Parse(intMax));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("Thrift: negative list size -2147483648 at byte 4", error.Message);
        Assert.Equal("Thrift: list of 2147483647 elements cannot fit in the 91 bytes left at byte 3", error2.Message);
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated");
    }
}
