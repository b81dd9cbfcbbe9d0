using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Tests.Thrift;

/// <summary>Metadata values for the tests: every field set, only the required ones, and a realistic footer.</summary>
internal static class MetadataSamples
{
    public static Statistics FullStatistics() => new()
    {
        Max = [9, 0, 0, 0],
        Min = [1, 0, 0, 0],
        NullCount = 3,
        DistinctCount = 7,
        MaxValue = Utf8Bytes("zebra"),
        MinValue = Utf8Bytes("aardvark"),
        IsMaxValueExact = true,
        IsMinValueExact = false,
        NanCount = 0,
    };

    public static SizeStatistics FullSizeStatistics() => new()
    {
        UnencodedByteArrayDataBytes = 1234,
        RepetitionLevelHistogram = [10],
        DefinitionLevelHistogram = [2, 8],
    };

    public static KeyValue FullKeyValue() => new("iox::table", "cpu");

    public static KeyValue RequiredKeyValue() => new() { Key = "only-key" };

    public static LogicalType FullLogicalType() => new()
    {
        Kind = LogicalTypeKind.Timestamp,
        TimestampIsAdjustedToUtc = true,
        TimeUnit = TimeUnitKind.Nanos,
    };

    public static SchemaElement FullSchemaElement() => new()
    {
        Type = PhysicalType.FixedLenByteArray,
        TypeLength = 16,
        RepetitionType = FieldRepetitionType.Optional,
        Name = "amount",
        NumChildren = 0,
        ConvertedType = ConvertedType.Decimal,
        Scale = 2,
        Precision = 30,
        FieldId = 42,
        LogicalType = new LogicalType { Kind = LogicalTypeKind.Decimal, DecimalScale = 2, DecimalPrecision = 30 },
    };

    public static SchemaElement RequiredSchemaElement() => new() { Name = "schema" };

    public static PageEncodingStats FullPageEncodingStats() => new()
    {
        PageType = PageType.DictionaryPage,
        Encoding = Encoding.Plain,
        Count = 1,
    };

    public static SortingColumn FullSortingColumn() => new() { ColumnIdx = 3, Descending = true, NullsFirst = true };

    public static ColumnMetaData FullColumnMetaData() => new()
    {
        Type = PhysicalType.ByteArray,
        Encodings = [Encoding.Plain, Encoding.Rle, Encoding.RleDictionary],
        PathInSchema = ["tags", "host"],
        Codec = CompressionCodec.Zstd,
        NumValues = 1000,
        TotalUncompressedSize = 50_000,
        TotalCompressedSize = 12_000,
        KeyValueMetadata = [FullKeyValue(), RequiredKeyValue()],
        DataPageOffset = 4_000,
        IndexPageOffset = 3_900,
        DictionaryPageOffset = 4,
        Statistics = FullStatistics(),
        EncodingStats = [FullPageEncodingStats(), new PageEncodingStats { PageType = PageType.DataPage, Encoding = Encoding.RleDictionary, Count = 3 }],
        BloomFilterOffset = 70_000,
        BloomFilterLength = 1024,
        SizeStatistics = FullSizeStatistics(),
    };

    public static ColumnMetaData RequiredColumnMetaData() => new()
    {
        Type = PhysicalType.Int64,
        Encodings = [Encoding.Plain],
        PathInSchema = ["time"],
        Codec = CompressionCodec.Uncompressed,
        NumValues = 1,
        TotalUncompressedSize = 30,
        TotalCompressedSize = 30,
        DataPageOffset = 4,
    };

    public static ColumnChunk FullColumnChunk() => new()
    {
        FilePath = "part-0.parquet",
        FileOffset = 0,
        MetaData = FullColumnMetaData(),
        OffsetIndexOffset = 80_000,
        OffsetIndexLength = 40,
        ColumnIndexOffset = 79_000,
        ColumnIndexLength = 90,
    };

    public static ColumnChunk RequiredColumnChunk() => new() { FileOffset = 0 };

    public static RowGroup FullRowGroup() => new()
    {
        Columns = [FullColumnChunk(), new ColumnChunk { MetaData = RequiredColumnMetaData() }],
        TotalByteSize = 50_030,
        NumRows = 1000,
        SortingColumns = [FullSortingColumn(), new SortingColumn { ColumnIdx = 1 }],
        FileOffset = 4,
        TotalCompressedSize = 12_030,
        Ordinal = 0,
    };

    public static RowGroup RequiredRowGroup() => new() { TotalByteSize = 0, NumRows = 0 };

    public static ColumnOrder FullColumnOrder() => new() { Kind = ColumnOrderKind.TypeDefinedOrder };

    public static FileMetaData FullFileMetaData() => new()
    {
        Version = 1,
        Schema =
        [
            new SchemaElement { Name = "schema", NumChildren = 2 },
            FullSchemaElement(),
            new SchemaElement { Name = "time", Type = PhysicalType.Int64, RepetitionType = FieldRepetitionType.Required, LogicalType = FullLogicalType() },
        ],
        NumRows = 1000,
        RowGroups = [FullRowGroup(), RequiredRowGroup()],
        KeyValueMetadata = [FullKeyValue()],
        CreatedBy = "tsdb version 0.1.0 (build test)",
        ColumnOrders = [FullColumnOrder(), FullColumnOrder()],
    };

    public static FileMetaData RequiredFileMetaData() => new()
    {
        Version = 1,
        Schema = [RequiredSchemaElement()],
        NumRows = 0,
    };

    public static DataPageHeader FullDataPageHeader() => new()
    {
        NumValues = 100,
        Encoding = Encoding.RleDictionary,
        DefinitionLevelEncoding = Encoding.Rle,
        RepetitionLevelEncoding = Encoding.BitPacked,
        Statistics = FullStatistics(),
    };

    public static DataPageHeader RequiredDataPageHeader() => new()
    {
        NumValues = 1,
        Encoding = Encoding.Plain,
        DefinitionLevelEncoding = Encoding.Rle,
        RepetitionLevelEncoding = Encoding.Rle,
    };

    public static DataPageHeaderV2 FullDataPageHeaderV2() => new()
    {
        NumValues = 100,
        NumNulls = 4,
        NumRows = 100,
        Encoding = Encoding.DeltaBinaryPacked,
        DefinitionLevelsByteLength = 6,
        RepetitionLevelsByteLength = 0,
        IsCompressed = false,
        Statistics = FullStatistics(),
    };

    public static DataPageHeaderV2 RequiredDataPageHeaderV2() => new()
    {
        NumValues = 1,
        NumNulls = 0,
        NumRows = 1,
        Encoding = Encoding.Plain,
    };

    public static DictionaryPageHeader FullDictionaryPageHeader() => new() { NumValues = 12, Encoding = Encoding.Plain, IsSorted = false };

    public static DictionaryPageHeader RequiredDictionaryPageHeader() => new() { NumValues = 12, Encoding = Encoding.Plain };

    public static PageHeader FullPageHeader() => new()
    {
        Type = PageType.DataPage,
        UncompressedPageSize = 4096,
        CompressedPageSize = 1500,
        Crc = unchecked((int)0xDEADBEEF),
        DataPageHeader = FullDataPageHeader(),
        DictionaryPageHeader = FullDictionaryPageHeader(),
        DataPageHeaderV2 = FullDataPageHeaderV2(),
    };

    public static PageHeader RequiredPageHeader() => new() { Type = PageType.IndexPage, UncompressedPageSize = 0, CompressedPageSize = 0 };

    /// <summary>What the writer will produce for a V2 data page: the realistic page header for fuzzing.</summary>
    public static PageHeader RealisticPageHeader() => new()
    {
        Type = PageType.DataPageV2,
        UncompressedPageSize = 80_000,
        CompressedPageSize = 21_345,
        Crc = 123456789,
        DataPageHeaderV2 = new DataPageHeaderV2
        {
            NumValues = 10_000,
            NumNulls = 17,
            NumRows = 10_000,
            Encoding = Encoding.RleDictionary,
            DefinitionLevelsByteLength = 40,
            RepetitionLevelsByteLength = 0,
            Statistics = new Statistics { NullCount = 17, MinValue = Utf8Bytes("host-000"), MaxValue = Utf8Bytes("host-099"), IsMinValueExact = true, IsMaxValueExact = true },
        },
    };

    public static ColumnIndex FullColumnIndex() => new()
    {
        NullPages = [false, true, false],
        MinValues = [Utf8Bytes("a"), [], Utf8Bytes("m")],
        MaxValues = [Utf8Bytes("k"), [], Utf8Bytes("z")],
        BoundaryOrder = BoundaryOrder.Ascending,
        NullCounts = [0, 100, 2],
        RepetitionLevelHistograms = [100, 100, 100],
        DefinitionLevelHistograms = [0, 100, 100, 0, 2, 98],
        NanCounts = [0, 0, 0],
    };

    public static ColumnIndex RequiredColumnIndex() => new()
    {
        NullPages = [false],
        MinValues = [[1, 0, 0, 0]],
        MaxValues = [[9, 0, 0, 0]],
        BoundaryOrder = BoundaryOrder.Unordered,
    };

    public static OffsetIndex FullOffsetIndex() => new()
    {
        PageLocations = [FullPageLocation(), new PageLocation { Offset = 1504, CompressedPageSize = 700, FirstRowIndex = 500 }],
        UnencodedByteArrayDataBytes = [4000, 2000],
    };

    public static OffsetIndex RequiredOffsetIndex() => new() { PageLocations = [FullPageLocation()] };

    public static PageLocation FullPageLocation() => new() { Offset = 4, CompressedPageSize = 1500, FirstRowIndex = 0 };

    /// <summary>
    /// A footer shaped like what the persister will write for an IOx-style table: tags as dictionary strings,
    /// fields of several types, a nanosecond UTC timestamp, two row groups with statistics and page indexes.
    /// </summary>
    public static FileMetaData RealisticFileMetaData()
    {
        var leaves = new (string Name, PhysicalType Type, FieldRepetitionType Repetition, LogicalType? Logical, ConvertedType? Converted)[]
        {
            ("host", PhysicalType.ByteArray, FieldRepetitionType.Optional, new LogicalType { Kind = LogicalTypeKind.String }, ConvertedType.Utf8),
            ("region", PhysicalType.ByteArray, FieldRepetitionType.Optional, new LogicalType { Kind = LogicalTypeKind.String }, ConvertedType.Utf8),
            ("usage_user", PhysicalType.Double, FieldRepetitionType.Optional, null, null),
            ("requests", PhysicalType.Int64, FieldRepetitionType.Optional, null, null),
            ("healthy", PhysicalType.Boolean, FieldRepetitionType.Optional, null, null),
            ("count", PhysicalType.Int64, FieldRepetitionType.Optional, new LogicalType { Kind = LogicalTypeKind.Integer, IntegerBitWidth = 64, IntegerIsSigned = false }, ConvertedType.Uint64),
            ("time", PhysicalType.Int64, FieldRepetitionType.Required, FullLogicalType(), null),
        };
        var metadata = new FileMetaData
        {
            Version = 1,
            NumRows = 20_000,
            CreatedBy = "tsdb version 0.1.0",
            KeyValueMetadata = [new KeyValue("iox:metadata", "{\"table\":\"cpu\",\"min_time\":0}"), new KeyValue("ARROW:schema", "/////w==")],
            ColumnOrders = [],
        };
        metadata.Schema.Add(new SchemaElement { Name = "schema", NumChildren = leaves.Length });
        foreach (var leaf in leaves)
        {
            metadata.Schema.Add(new SchemaElement { Name = leaf.Name, Type = leaf.Type, RepetitionType = leaf.Repetition, LogicalType = leaf.Logical, ConvertedType = leaf.Converted });
            metadata.ColumnOrders.Add(new ColumnOrder());
        }
        long offset = 4;
        for (var group = 0; group < 2; group++)
        {
            var rowGroup = new RowGroup { NumRows = 10_000, FileOffset = offset, Ordinal = (short)group, SortingColumns = [new SortingColumn { ColumnIdx = 6 }] };
            foreach (var leaf in leaves)
            {
                var dictionary = leaf.Type == PhysicalType.ByteArray;
                var chunk = new ColumnMetaData
                {
                    Type = leaf.Type,
                    Encodings = dictionary ? [Encoding.Plain, Encoding.Rle, Encoding.RleDictionary] : [Encoding.Plain, Encoding.Rle],
                    PathInSchema = [leaf.Name],
                    Codec = CompressionCodec.Zstd,
                    NumValues = 10_000,
                    TotalUncompressedSize = 80_000,
                    TotalCompressedSize = 20_000,
                    DataPageOffset = offset + (dictionary ? 200 : 0),
                    DictionaryPageOffset = dictionary ? offset : null,
                    Statistics = new Statistics { NullCount = 0, MinValue = [0, 0, 0, 0, 0, 0, 0, 1], MaxValue = [0xFF, 0, 0, 0, 0, 0, 0, 0x7F], IsMinValueExact = true, IsMaxValueExact = true },
                    EncodingStats = [new PageEncodingStats { PageType = PageType.DataPageV2, Encoding = Encoding.Plain, Count = 2 }],
                };
                rowGroup.Columns.Add(new ColumnChunk
                {
                    MetaData = chunk,
                    OffsetIndexOffset = 1_000_000 + offset,
                    OffsetIndexLength = 30,
                    ColumnIndexOffset = 900_000 + offset,
                    ColumnIndexLength = 60,
                });
                offset += chunk.TotalCompressedSize;
                rowGroup.TotalByteSize += chunk.TotalUncompressedSize;
            }
            rowGroup.TotalCompressedSize = offset - rowGroup.FileOffset;
            metadata.RowGroups.Add(rowGroup);
        }
        return metadata;
    }

    private static byte[] Utf8Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
