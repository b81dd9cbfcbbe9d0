using Tsdb.Parquet.IO;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Tests.Thrift;

/// <summary>Every metadata struct written and read back, with every field set and with only the required ones.</summary>
public sealed class MetadataRoundTripTests
{
    private sealed record StructCase(Func<object> Full, Func<object> RequiredOnly, Func<object, (object Value, byte[] Bytes)> RoundTrip);

    private static StructCase Case<T>(Func<T> full, Func<T> requiredOnly, Action<T, ThriftCompactWriter> write, ThriftElementReader<T> read)
        where T : class =>
        new(full, requiredOnly, value =>
        {
            using var buffer = new ByteBuffer(64);
            write((T)value, new ThriftCompactWriter(buffer));
            var bytes = buffer.ToArray();
            var reader = new ThriftCompactReader(bytes);
            var back = read(ref reader);
            Assert.Equal(bytes.Length, reader.Position);
            Assert.Equal(0, reader.Depth);
            return (back, bytes);
        });

    private static readonly Dictionary<string, StructCase> Cases = new()
    {
        ["FileMetaData"] = Case(MetadataSamples.FullFileMetaData, MetadataSamples.RequiredFileMetaData, (v, w) => v.Write(w), FileMetaData.Read),
        ["SchemaElement"] = Case(MetadataSamples.FullSchemaElement, MetadataSamples.RequiredSchemaElement, (v, w) => v.Write(w), SchemaElement.Read),
        ["RowGroup"] = Case(MetadataSamples.FullRowGroup, MetadataSamples.RequiredRowGroup, (v, w) => v.Write(w), RowGroup.Read),
        ["ColumnChunk"] = Case(MetadataSamples.FullColumnChunk, MetadataSamples.RequiredColumnChunk, (v, w) => v.Write(w), ColumnChunk.Read),
        ["ColumnMetaData"] = Case(MetadataSamples.FullColumnMetaData, MetadataSamples.RequiredColumnMetaData, (v, w) => v.Write(w), ColumnMetaData.Read),
        ["Statistics"] = Case(MetadataSamples.FullStatistics, () => new Statistics(), (v, w) => v.Write(w), Statistics.Read),
        ["SizeStatistics"] = Case(MetadataSamples.FullSizeStatistics, () => new SizeStatistics(), (v, w) => v.Write(w), SizeStatistics.Read),
        ["KeyValue"] = Case(MetadataSamples.FullKeyValue, MetadataSamples.RequiredKeyValue, (v, w) => v.Write(w), KeyValue.Read),
        ["SortingColumn"] = Case(MetadataSamples.FullSortingColumn, () => new SortingColumn(), (v, w) => v.Write(w), SortingColumn.Read),
        ["PageEncodingStats"] = Case(MetadataSamples.FullPageEncodingStats, () => new PageEncodingStats(), (v, w) => v.Write(w), PageEncodingStats.Read),
        ["ColumnOrder"] = Case(MetadataSamples.FullColumnOrder, () => new ColumnOrder(), (v, w) => v.Write(w), ColumnOrder.Read),
        ["LogicalType"] = Case(MetadataSamples.FullLogicalType, () => new LogicalType { Kind = LogicalTypeKind.String }, (v, w) => v.Write(w), LogicalType.Read),
        ["PageHeader"] = Case(MetadataSamples.FullPageHeader, MetadataSamples.RequiredPageHeader, (v, w) => v.Write(w), PageHeader.Read),
        ["DataPageHeader"] = Case(MetadataSamples.FullDataPageHeader, MetadataSamples.RequiredDataPageHeader, (v, w) => v.Write(w), DataPageHeader.Read),
        ["DataPageHeaderV2"] = Case(MetadataSamples.FullDataPageHeaderV2, MetadataSamples.RequiredDataPageHeaderV2, (v, w) => v.Write(w), DataPageHeaderV2.Read),
        ["DictionaryPageHeader"] = Case(MetadataSamples.FullDictionaryPageHeader, MetadataSamples.RequiredDictionaryPageHeader, (v, w) => v.Write(w), DictionaryPageHeader.Read),
        ["ColumnIndex"] = Case(MetadataSamples.FullColumnIndex, MetadataSamples.RequiredColumnIndex, (v, w) => v.Write(w), ColumnIndex.Read),
        ["OffsetIndex"] = Case(MetadataSamples.FullOffsetIndex, MetadataSamples.RequiredOffsetIndex, (v, w) => v.Write(w), OffsetIndex.Read),
        ["PageLocation"] = Case(MetadataSamples.FullPageLocation, () => new PageLocation(), (v, w) => v.Write(w), PageLocation.Read),
    };

    public static TheoryData<string> StructNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(StructNames))]
    public void Every_field_set_round_trips(string name)
    {
        var structCase = Cases[name];
        var value = structCase.Full();
        MetadataAssert.EveryFieldSet(value);
        var (back, bytes) = structCase.RoundTrip(value);
        MetadataAssert.Equivalent(value, back);
        // Writing what was read gives the same bytes.
        Assert.Equal(bytes, structCase.RoundTrip(back).Bytes);
    }

    [Theory]
    [MemberData(nameof(StructNames))]
    public void Only_required_fields_round_trip(string name)
    {
        var structCase = Cases[name];
        var value = structCase.RequiredOnly();
        var (back, _) = structCase.RoundTrip(value);
        MetadataAssert.Equivalent(value, back);
    }

    [Fact]
    public void Optional_fields_left_null_are_not_written()
    {
        using var buffer = new ByteBuffer();
        MetadataSamples.RequiredKeyValue().Write(new ThriftCompactWriter(buffer));
        Assert.Equal([0x18, 0x08, .. "only-key"u8, 0x00], buffer.ToArray());

        buffer.Clear();
        new Statistics().Write(new ThriftCompactWriter(buffer));
        Assert.Equal([0x00], buffer.ToArray());

        buffer.Clear();
        new Statistics { NullCount = 0, MinValue = [7] }.Write(new ThriftCompactWriter(buffer));
        Assert.Equal([0x36, 0x00, 0x38, 0x01, 0x07, 0x00], buffer.ToArray()); // field 3 i64 0, field 6 (delta 3) binary [7]
    }

    [Fact]
    public void Data_page_header_v2_is_compressed_unless_it_says_otherwise()
    {
        Assert.True(new DataPageHeaderV2().IsCompressed);
        // All six required fields, no is_compressed.
        byte[] bytes = [0x15, 0x02, 0x15, 0x00, 0x15, 0x02, 0x15, 0x00, 0x15, 0x00, 0x15, 0x00, 0x00];
        var reader = new ThriftCompactReader(bytes);
        Assert.True(DataPageHeaderV2.Read(ref reader).IsCompressed);
    }

    public static TheoryData<LogicalTypeKind> SimpleLogicalKinds() =>
    [
        LogicalTypeKind.String, LogicalTypeKind.Map, LogicalTypeKind.List, LogicalTypeKind.Enum, LogicalTypeKind.Date,
        LogicalTypeKind.Unknown, LogicalTypeKind.Json, LogicalTypeKind.Bson, LogicalTypeKind.Uuid, LogicalTypeKind.Float16,
    ];

    [Theory]
    [MemberData(nameof(SimpleLogicalKinds))]
    public void Logical_types_without_parameters_are_empty_structs(LogicalTypeKind kind)
    {
        using var buffer = new ByteBuffer();
        new LogicalType { Kind = kind }.Write(new ThriftCompactWriter(buffer));
        Assert.Equal([(byte)(((int)kind << 4) | 0x0C), 0x00, 0x00], buffer.ToArray());
        var reader = new ThriftCompactReader(buffer.WrittenSpan);
        Assert.Equal(kind, LogicalType.Read(ref reader).Kind);
    }

    public static TheoryData<LogicalTypeKind, TimeUnitKind, bool> TimeLogicalTypes()
    {
        var data = new TheoryData<LogicalTypeKind, TimeUnitKind, bool>();
        foreach (var kind in new[] { LogicalTypeKind.Time, LogicalTypeKind.Timestamp })
        {
            foreach (var unit in new[] { TimeUnitKind.Millis, TimeUnitKind.Micros, TimeUnitKind.Nanos })
            {
                data.Add(kind, unit, true);
                data.Add(kind, unit, false);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TimeLogicalTypes))]
    public void Time_and_timestamp_logical_types_round_trip(LogicalTypeKind kind, TimeUnitKind unit, bool utc)
    {
        var value = new LogicalType { Kind = kind, TimeUnit = unit, TimestampIsAdjustedToUtc = utc };
        using var buffer = new ByteBuffer();
        value.Write(new ThriftCompactWriter(buffer));
        var reader = new ThriftCompactReader(buffer.WrittenSpan);
        MetadataAssert.Equivalent(value, LogicalType.Read(ref reader));
    }

    [Fact]
    public void Timestamp_nanos_utc_has_the_expected_bytes()
    {
        using var buffer = new ByteBuffer();
        MetadataSamples.FullLogicalType().Write(new ThriftCompactWriter(buffer));
        // field 8 struct { field 1 true, field 2 struct { field 3 struct {} } }
        Assert.Equal([0x8C, 0x11, 0x1C, 0x3C, 0x00, 0x00, 0x00, 0x00], buffer.ToArray());
    }

    [Theory]
    [InlineData((sbyte)8, true)]
    [InlineData((sbyte)16, false)]
    [InlineData((sbyte)64, true)]
    public void Integer_and_decimal_logical_types_round_trip(sbyte bitWidth, bool signed)
    {
        foreach (var value in new[]
        {
            new LogicalType { Kind = LogicalTypeKind.Integer, IntegerBitWidth = bitWidth, IntegerIsSigned = signed },
            new LogicalType { Kind = LogicalTypeKind.Decimal, DecimalPrecision = bitWidth, DecimalScale = bitWidth / 2 },
        })
        {
            using var buffer = new ByteBuffer();
            value.Write(new ThriftCompactWriter(buffer));
            var reader = new ThriftCompactReader(buffer.WrittenSpan);
            MetadataAssert.Equivalent(value, LogicalType.Read(ref reader));
        }
    }

    [Fact]
    public void Factories_set_the_member_and_its_fields()
    {
        MetadataAssert.Equivalent(new LogicalType { Kind = LogicalTypeKind.String }, LogicalType.String());
        MetadataAssert.Equivalent(new LogicalType { Kind = LogicalTypeKind.Unknown }, LogicalType.Unknown());
        MetadataAssert.Equivalent(new LogicalType { Kind = LogicalTypeKind.Integer, IntegerBitWidth = 16, IntegerIsSigned = true }, LogicalType.Integer(16, true));
        MetadataAssert.Equivalent(MetadataSamples.FullLogicalType(), LogicalType.Timestamp(true, TimeUnitKind.Nanos));
        MetadataAssert.Equivalent(new LogicalType { Kind = LogicalTypeKind.Time, TimeUnit = TimeUnitKind.Millis }, LogicalType.Time(false, TimeUnitKind.Millis));
        MetadataAssert.Equivalent(new LogicalType { Kind = LogicalTypeKind.Decimal, DecimalPrecision = 10, DecimalScale = 2 }, LogicalType.Decimal(10, 2));
        Assert.Equal(ColumnOrderKind.TypeDefinedOrder, ColumnOrder.TypeDefined().Kind);
    }

    [Fact]
    public void Unknown_union_members_cannot_be_written()
    {
        using var buffer = new ByteBuffer();
        var writer = new ThriftCompactWriter(buffer);
        Assert.Throws<InvalidOperationException>(() => new LogicalType { Kind = LogicalTypeKind.Other, UnknownMemberId = 16 }.Write(writer));
        Assert.Throws<InvalidOperationException>(() => new LogicalType { Kind = LogicalTypeKind.Timestamp }.Write(writer));
        Assert.Throws<InvalidOperationException>(() => new ColumnOrder { Kind = ColumnOrderKind.Other }.Write(writer));
    }

    [Fact]
    public void Public_entry_points_round_trip()
    {
        var metadata = MetadataSamples.RealisticFileMetaData();
        var bytes = metadata.Serialize();
        MetadataAssert.Equivalent(metadata, FileMetaData.Parse(bytes));

        using var output = new ByteBuffer();
        output.Append([0xAA]);
        metadata.WriteTo(output);
        Assert.Equal(bytes, output.WrittenSpan[1..].ToArray());

        var columnIndex = MetadataSamples.FullColumnIndex();
        MetadataAssert.Equivalent(columnIndex, ColumnIndex.Parse(columnIndex.Serialize()));
        var offsetIndex = MetadataSamples.FullOffsetIndex();
        MetadataAssert.Equivalent(offsetIndex, OffsetIndex.Parse(offsetIndex.Serialize()));
    }

    [Fact]
    public void Page_header_parse_reports_where_the_page_starts()
    {
        var header = MetadataSamples.RealisticPageHeader();
        using var buffer = new ByteBuffer();
        header.WriteTo(buffer);
        var headerBytes = buffer.Length;
        buffer.Append([1, 2, 3, 4, 5]); // the page body follows
        var back = PageHeader.Parse(buffer.WrittenSpan, out var headerLength);
        Assert.Equal(headerBytes, headerLength);
        MetadataAssert.Equivalent(header, back);
    }
}
