using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>RowGroup</c>: one column chunk per leaf column, in schema order.</summary>
public sealed class RowGroup
{
    /// <summary>1: required.</summary>
    public List<ColumnChunk> Columns { get; set; } = [];

    /// <summary>2: required; uncompressed bytes of all column data.</summary>
    public long TotalByteSize { get; set; }

    /// <summary>3: required.</summary>
    public long NumRows { get; set; }

    /// <summary>4: optional.</summary>
    public List<SortingColumn>? SortingColumns { get; set; }

    /// <summary>5: optional; file offset of the first page.</summary>
    public long? FileOffset { get; set; }

    /// <summary>6: optional.</summary>
    public long? TotalCompressedSize { get; set; }

    /// <summary>7: optional.</summary>
    public short? Ordinal { get; set; }

    internal static RowGroup Read(ref ThriftCompactReader reader)
    {
        var result = new RowGroup();
        bool hasColumns = false, hasTotalByteSize = false, hasNumRows = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.List, "RowGroup.columns");
                    result.Columns = reader.ReadList(ThriftType.Struct, ColumnChunk.Read, "RowGroup.columns");
                    hasColumns = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I64, "RowGroup.total_byte_size");
                    result.TotalByteSize = reader.ReadI64();
                    hasTotalByteSize = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.I64, "RowGroup.num_rows");
                    result.NumRows = reader.ReadI64();
                    hasNumRows = true;
                    break;
                case 4:
                    reader.Expect(field, ThriftType.List, "RowGroup.sorting_columns");
                    result.SortingColumns = reader.ReadList(ThriftType.Struct, SortingColumn.Read, "RowGroup.sorting_columns");
                    break;
                case 5:
                    reader.Expect(field, ThriftType.I64, "RowGroup.file_offset");
                    result.FileOffset = reader.ReadI64();
                    break;
                case 6:
                    reader.Expect(field, ThriftType.I64, "RowGroup.total_compressed_size");
                    result.TotalCompressedSize = reader.ReadI64();
                    break;
                case 7:
                    reader.Expect(field, ThriftType.I16, "RowGroup.ordinal");
                    result.Ordinal = reader.ReadI16();
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasColumns, "RowGroup.columns");
        reader.Require(hasTotalByteSize, "RowGroup.total_byte_size");
        reader.Require(hasNumRows, "RowGroup.num_rows");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteListField(1, ThriftType.Struct, Columns.Count);
        foreach (var column in Columns)
        {
            column.Write(writer);
        }
        writer.WriteI64Field(2, TotalByteSize);
        writer.WriteI64Field(3, NumRows);
        if (SortingColumns is not null)
        {
            writer.WriteListField(4, ThriftType.Struct, SortingColumns.Count);
            foreach (var sortingColumn in SortingColumns)
            {
                sortingColumn.Write(writer);
            }
        }
        if (FileOffset is { } fileOffset)
        {
            writer.WriteI64Field(5, fileOffset);
        }
        if (TotalCompressedSize is { } totalCompressedSize)
        {
            writer.WriteI64Field(6, totalCompressedSize);
        }
        if (Ordinal is { } ordinal)
        {
            writer.WriteI16Field(7, ordinal);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
