using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>Statistics</c>, per column chunk and per page. Values are PLAIN-encoded, byte arrays without
/// their length prefix. All fields are optional.
/// </summary>
public sealed class Statistics
{
    /// <summary>1: deprecated max, by signed comparison.</summary>
    public byte[]? Max { get; set; }

    /// <summary>2: deprecated min, by signed comparison.</summary>
    public byte[]? Min { get; set; }

    /// <summary>3: absent means unknown, not zero.</summary>
    public long? NullCount { get; set; }

    /// <summary>4.</summary>
    public long? DistinctCount { get; set; }

    /// <summary>5: upper bound by the column's <see cref="ColumnOrder"/>.</summary>
    public byte[]? MaxValue { get; set; }

    /// <summary>6: lower bound by the column's <see cref="ColumnOrder"/>.</summary>
    public byte[]? MinValue { get; set; }

    /// <summary>7.</summary>
    public bool? IsMaxValueExact { get; set; }

    /// <summary>8.</summary>
    public bool? IsMinValueExact { get; set; }

    /// <summary>9: floating-point columns only.</summary>
    public long? NanCount { get; set; }

    internal static Statistics Read(ref ThriftCompactReader reader)
    {
        var result = new Statistics();
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.Binary, "Statistics.max");
                    result.Max = reader.ReadBinary();
                    break;
                case 2:
                    reader.Expect(field, ThriftType.Binary, "Statistics.min");
                    result.Min = reader.ReadBinary();
                    break;
                case 3:
                    reader.Expect(field, ThriftType.I64, "Statistics.null_count");
                    result.NullCount = reader.ReadI64();
                    break;
                case 4:
                    reader.Expect(field, ThriftType.I64, "Statistics.distinct_count");
                    result.DistinctCount = reader.ReadI64();
                    break;
                case 5:
                    reader.Expect(field, ThriftType.Binary, "Statistics.max_value");
                    result.MaxValue = reader.ReadBinary();
                    break;
                case 6:
                    reader.Expect(field, ThriftType.Binary, "Statistics.min_value");
                    result.MinValue = reader.ReadBinary();
                    break;
                case 7:
                    reader.Expect(field, ThriftType.Bool, "Statistics.is_max_value_exact");
                    result.IsMaxValueExact = reader.ReadBool();
                    break;
                case 8:
                    reader.Expect(field, ThriftType.Bool, "Statistics.is_min_value_exact");
                    result.IsMinValueExact = reader.ReadBool();
                    break;
                case 9:
                    reader.Expect(field, ThriftType.I64, "Statistics.nan_count");
                    result.NanCount = reader.ReadI64();
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.ReadStructEnd();
        return result;
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        if (Max is not null)
        {
            writer.WriteBinaryField(1, Max);
        }
        if (Min is not null)
        {
            writer.WriteBinaryField(2, Min);
        }
        if (NullCount is { } nullCount)
        {
            writer.WriteI64Field(3, nullCount);
        }
        if (DistinctCount is { } distinctCount)
        {
            writer.WriteI64Field(4, distinctCount);
        }
        if (MaxValue is not null)
        {
            writer.WriteBinaryField(5, MaxValue);
        }
        if (MinValue is not null)
        {
            writer.WriteBinaryField(6, MinValue);
        }
        if (IsMaxValueExact is { } isMaxValueExact)
        {
            writer.WriteBoolField(7, isMaxValueExact);
        }
        if (IsMinValueExact is { } isMinValueExact)
        {
            writer.WriteBoolField(8, isMinValueExact);
        }
        if (NanCount is { } nanCount)
        {
            writer.WriteI64Field(9, nanCount);
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
