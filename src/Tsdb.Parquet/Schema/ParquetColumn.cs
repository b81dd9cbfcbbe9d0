using Tsdb.Arrow.Types;
using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Schema;

/// <summary>
/// One leaf column: its Parquet physical type and annotations, and the Arrow type it maps to. Only flat schemas
/// (a root with primitive children) are supported; max definition level is 1 for optional columns, 0 for required.
/// </summary>
internal sealed record ParquetColumn(
    int Index,
    string Name,
    PhysicalType PhysicalType,
    int TypeLength,
    bool IsOptional,
    ArrowType ArrowType,
    bool IsInt96)
{
    public int MaxDefinitionLevel => IsOptional ? 1 : 0;

    /// <summary>Byte width of one PLAIN value for fixed-width physical types (0 for BYTE_ARRAY and BOOLEAN).</summary>
    public int PlainWidth => PhysicalType switch
    {
        PhysicalType.Int32 or PhysicalType.Float => 4,
        PhysicalType.Int64 or PhysicalType.Double => 8,
        PhysicalType.Int96 => 12,
        PhysicalType.FixedLenByteArray => TypeLength,
        _ => 0,
    };

    /// <summary>Statistics compare unsigned (UINT_x, strings, binary) or signed.</summary>
    public bool UnsignedOrder => ArrowType.Id is ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 or ArrowTypeId.UInt64
        || PhysicalType is PhysicalType.ByteArray or PhysicalType.FixedLenByteArray;
}
