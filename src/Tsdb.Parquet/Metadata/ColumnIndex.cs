using System.Runtime.InteropServices;
using Tsdb.Parquet.IO;
using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>ColumnIndex</c>: per-page bounds of a column chunk, entry i describing
/// <see cref="OffsetIndex.PageLocations"/>[i]. Stored on its own near the footer, found through
/// <see cref="ColumnChunk.ColumnIndexOffset"/>.
/// </summary>
public sealed class ColumnIndex
{
    /// <summary>1: required; true where a page holds only nulls (its min and max are then empty).</summary>
    public List<bool> NullPages { get; set; } = [];

    /// <summary>2: required.</summary>
    public List<byte[]> MinValues { get; set; } = [];

    /// <summary>3: required.</summary>
    public List<byte[]> MaxValues { get; set; } = [];

    /// <summary>4: required.</summary>
    public BoundaryOrder BoundaryOrder { get; set; }

    /// <summary>5: optional; absent means unknown, not zero.</summary>
    public List<long>? NullCounts { get; set; }

    /// <summary>6: optional; the pages' histograms concatenated.</summary>
    public List<long>? RepetitionLevelHistograms { get; set; }

    /// <summary>7: optional; the pages' histograms concatenated.</summary>
    public List<long>? DefinitionLevelHistograms { get; set; }

    /// <summary>8: optional; floating-point columns only.</summary>
    public List<long>? NanCounts { get; set; }

    public static ColumnIndex Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new ThriftCompactReader(bytes);
        return Read(ref reader);
    }

    public byte[] Serialize()
    {
        using var buffer = new ByteBuffer(256);
        WriteTo(buffer);
        return buffer.ToArray();
    }

    public void WriteTo(ByteBuffer output) => Write(new ThriftCompactWriter(output));

    internal static ColumnIndex Read(ref ThriftCompactReader reader)
    {
        var result = new ColumnIndex();
        bool hasNullPages = false, hasMinValues = false, hasMaxValues = false, hasBoundaryOrder = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.List, "ColumnIndex.null_pages");
                    result.NullPages = reader.ReadList(ThriftType.Bool, ThriftElementReaders.Bool, "ColumnIndex.null_pages");
                    hasNullPages = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.List, "ColumnIndex.min_values");
                    result.MinValues = reader.ReadList(ThriftType.Binary, ThriftElementReaders.Binary, "ColumnIndex.min_values");
                    hasMinValues = true;
                    break;
                case 3:
                    reader.Expect(field, ThriftType.List, "ColumnIndex.max_values");
                    result.MaxValues = reader.ReadList(ThriftType.Binary, ThriftElementReaders.Binary, "ColumnIndex.max_values");
                    hasMaxValues = true;
                    break;
                case 4:
                    reader.Expect(field, ThriftType.I32, "ColumnIndex.boundary_order");
                    result.BoundaryOrder = (BoundaryOrder)reader.ReadI32();
                    hasBoundaryOrder = true;
                    break;
                case 5:
                    reader.Expect(field, ThriftType.List, "ColumnIndex.null_counts");
                    result.NullCounts = reader.ReadList(ThriftType.I64, ThriftElementReaders.I64, "ColumnIndex.null_counts");
                    break;
                case 6:
                    reader.Expect(field, ThriftType.List, "ColumnIndex.repetition_level_histograms");
                    result.RepetitionLevelHistograms = reader.ReadList(ThriftType.I64, ThriftElementReaders.I64, "ColumnIndex.repetition_level_histograms");
                    break;
                case 7:
                    reader.Expect(field, ThriftType.List, "ColumnIndex.definition_level_histograms");
                    result.DefinitionLevelHistograms = reader.ReadList(ThriftType.I64, ThriftElementReaders.I64, "ColumnIndex.definition_level_histograms");
                    break;
                case 8:
                    reader.Expect(field, ThriftType.List, "ColumnIndex.nan_counts");
                    result.NanCounts = reader.ReadList(ThriftType.I64, ThriftElementReaders.I64, "ColumnIndex.nan_counts");
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasNullPages, "ColumnIndex.null_pages");
        reader.Require(hasMinValues, "ColumnIndex.min_values");
        reader.Require(hasMaxValues, "ColumnIndex.max_values");
        reader.Require(hasBoundaryOrder, "ColumnIndex.boundary_order");
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteBoolListField(1, CollectionsMarshal.AsSpan(NullPages));
        writer.WriteBinaryListField(2, CollectionsMarshal.AsSpan(MinValues));
        writer.WriteBinaryListField(3, CollectionsMarshal.AsSpan(MaxValues));
        writer.WriteI32Field(4, (int)BoundaryOrder);
        if (NullCounts is not null)
        {
            writer.WriteI64ListField(5, CollectionsMarshal.AsSpan(NullCounts));
        }
        if (RepetitionLevelHistograms is not null)
        {
            writer.WriteI64ListField(6, CollectionsMarshal.AsSpan(RepetitionLevelHistograms));
        }
        if (DefinitionLevelHistograms is not null)
        {
            writer.WriteI64ListField(7, CollectionsMarshal.AsSpan(DefinitionLevelHistograms));
        }
        if (NanCounts is not null)
        {
            writer.WriteI64ListField(8, CollectionsMarshal.AsSpan(NanCounts));
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
