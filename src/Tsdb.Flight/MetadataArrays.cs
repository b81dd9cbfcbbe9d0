using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;

namespace Tsdb.Flight;

/// <summary>Small columns for metadata answers, built with Tsdb.Arrow's builders.</summary>
internal static class MetadataArrays
{
    public static ArrowArray Utf8(IReadOnlyList<string?> values)
    {
        using var builder = new VariableWidthArrayBuilder(ArrowType.Utf8);
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    public static ArrowArray Binary(IReadOnlyList<byte[]> values)
    {
        using var builder = new VariableWidthArrayBuilder(ArrowType.Binary);
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    public static ArrowArray Int32(IReadOnlyList<int> values)
    {
        using var builder = new PrimitiveArrayBuilder<int>(ArrowType.Int32);
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    public static ArrowArray UInt8(IReadOnlyList<byte> values)
    {
        using var builder = new PrimitiveArrayBuilder<byte>(ArrowType.UInt8);
        foreach (var v in values)
        {
            builder.Append(v);
        }
        return builder.Build();
    }

    public static RecordBatch Batch(Schema schema, params ArrowArray[] columns) =>
        new(schema, columns, columns.Length == 0 ? 0 : columns[0].Length);
}
