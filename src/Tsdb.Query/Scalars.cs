namespace Tsdb.Query;

/// <summary>A timestamp constant (nanoseconds since the epoch, UTC).</summary>
public readonly record struct TimestampScalar(long Nanos);

/// <summary>An INTERVAL constant of a fixed length in nanoseconds (months are not supported).</summary>
public readonly record struct IntervalScalar(long Nanos);

/// <summary>An evaluated expression: a whole column, or one constant that stands for every row.</summary>
internal readonly record struct Value(Tsdb.Arrow.Arrays.ArrowArray? Array, object? Scalar)
{
    public bool IsScalar => Array is null;

    public static Value Of(Tsdb.Arrow.Arrays.ArrowArray array) => new(array, null);

    public static Value Constant(object? scalar) => new(null, scalar);
}
