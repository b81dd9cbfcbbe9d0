using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Expressions;

/// <summary>
/// An evaluated expression: a whole column, or one constant standing for every row (kept a scalar until a kernel needs
/// an array). Scalars are null, long, ulong, double, string, bool, <see cref="TimestampScalar"/> or <see cref="IntervalScalar"/>.
/// </summary>
public readonly record struct ColumnarValue(ArrowArray? Array, object? Scalar)
{
    public bool IsScalar => Array is null;

    public static ColumnarValue Of(ArrowArray array) => new(array, null);

    public static ColumnarValue Constant(object? scalar) => new(null, scalar);

    /// <summary>The value as an array of <paramref name="length"/> rows.</summary>
    public ArrowArray ToArray(int length) => Array ?? Columns.Constant(Scalar, length);
}
