using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>parquet.thrift <c>SortingColumn</c>: one key of a row group's sort order.</summary>
public sealed class SortingColumn
{
    /// <summary>1: required; the column's ordinal in the row group.</summary>
    public int ColumnIdx { get; set; }

    /// <summary>2: required.</summary>
    public bool Descending { get; set; }

    /// <summary>3: required.</summary>
    public bool NullsFirst { get; set; }

    internal static SortingColumn Read(ref ThriftCompactReader reader)
    {
        var result = new SortingColumn();
        bool hasColumnIdx = false, hasDescending = false, hasNullsFirst = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "SortingColumn.column_idx");
                    result.ColumnIdx = reader.ReadI32();
                    hasColumnIdx = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.Bool, "SortingColumn.descending");
                    result.Descending = reader.ReadBool();
                    hasDescending = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.Bool, "SortingColumn.nulls_first");
                    result.NullsFirst = reader.ReadBool();
                    hasNullsFirst = true;
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasColumnIdx, "SortingColumn.column_idx");
        reader.Require(hasDescending, "SortingColumn.descending");
        reader.Require(hasNullsFirst, "SortingColumn.nulls_first");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteI32Field(1, ColumnIdx);
        writer.WriteBoolField(2, Descending);
        writer.WriteBoolField(3, NullsFirst);
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
