using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>ColumnOrder</c>, a union: the order a leaf column's min/max statistics follow. Only TYPE_ORDER is
/// understood; any other member (IEEE_754_TOTAL_ORDER, …) reads as <see cref="ColumnOrderKind.Other"/> with its id
/// kept, and statistics of such a column should be ignored.
/// </summary>
public sealed class ColumnOrder
{
    public ColumnOrderKind Kind { get; set; } = ColumnOrderKind.TypeDefinedOrder;

    /// <summary>For <see cref="ColumnOrderKind.Other"/> read from a file: the union member's field id (0 if the union was empty).</summary>
    public short UnknownMemberId { get; set; }

    /// <summary>TYPE_ORDER: min/max follow the order of the column's logical (else physical) type.</summary>
    public static ColumnOrder TypeDefined() => new() { Kind = ColumnOrderKind.TypeDefinedOrder };

    internal static ColumnOrder Read(ref ThriftCompactReader reader)
    {
        var result = new ColumnOrder { Kind = ColumnOrderKind.Other };
        var members = 0;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            if (++members > 1)
            {
                throw new ParquetFormatException($"Thrift: ColumnOrder union has more than one member (field {field.Id}) at byte {reader.Position}");
            }
            if (field.Id == (short)ColumnOrderKind.TypeDefinedOrder)
            {
                reader.Expect(field, ThriftType.Struct, "ColumnOrder.TYPE_ORDER");
                result.Kind = ColumnOrderKind.TypeDefinedOrder;
            }
            else
            {
                result.UnknownMemberId = field.Id;
            }
            reader.Skip(field.Type);
        }
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        if (Kind != ColumnOrderKind.TypeDefinedOrder)
        {
            throw new InvalidOperationException($"a column order of kind {Kind} (union member {UnknownMemberId}) cannot be written");
        }
        writer.WriteStructBegin();
        writer.WriteFieldHeader(1, ThriftType.Struct);
        writer.WriteStructBegin();
        writer.WriteFieldStop();
        writer.WriteStructEnd();
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
