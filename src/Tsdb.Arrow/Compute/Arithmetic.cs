using System.Numerics;
using System.Runtime.InteropServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Compute;

/// <summary>
/// Element-wise arithmetic, null in → null out. Operand types: signed integers (any width, and timestamps, as raw
/// counts) give Int64; unsigned integers give UInt64; a float on either side gives Float64 (Int64 vs Float64 promotes
/// to Float64). Signed with unsigned gives Int64, and an unsigned value above long.MaxValue throws.
/// <list type="bullet">
/// <item>Integer overflow is checked: the call throws <see cref="ArithmeticException"/> naming the operation, the
/// operands and the row (never a wrapped result). Rows that are null are not evaluated.</item>
/// <item>Integer division or modulo by zero gives null for that row (as DataFusion does with its safe kernels);
/// long.MinValue % -1 is 0.</item>
/// <item>Float64 follows IEEE 754: x / 0 is ±Infinity, 0 / 0 is NaN; modulo is the C# (fmod) remainder.</item>
/// </list>
/// </summary>
public static class Arithmetic
{
    private enum Op
    {
        Add,
        Subtract,
        Multiply,
        Divide,
        Modulo,
    }

    public static ArrowArray Add(ArrowArray left, ArrowArray right) => Binary(left, right, Op.Add);

    public static ArrowArray Subtract(ArrowArray left, ArrowArray right) => Binary(left, right, Op.Subtract);

    public static ArrowArray Multiply(ArrowArray left, ArrowArray right) => Binary(left, right, Op.Multiply);

    public static ArrowArray Divide(ArrowArray left, ArrowArray right) => Binary(left, right, Op.Divide);

    public static ArrowArray Modulo(ArrowArray left, ArrowArray right) => Binary(left, right, Op.Modulo);

    /// <summary>array + scalar (an integer, float or double; null gives an all-null result).</summary>
    public static ArrowArray Add(ArrowArray left, object? right) => Scalar(left, right, Op.Add);

    public static ArrowArray Subtract(ArrowArray left, object? right) => Scalar(left, right, Op.Subtract);

    public static ArrowArray Multiply(ArrowArray left, object? right) => Scalar(left, right, Op.Multiply);

    public static ArrowArray Divide(ArrowArray left, object? right) => Scalar(left, right, Op.Divide);

    public static ArrowArray Modulo(ArrowArray left, object? right) => Scalar(left, right, Op.Modulo);

    private static ArrowArray Binary(ArrowArray left, ArrowArray right, Op op)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (left.Length != right.Length)
        {
            throw new ArgumentException($"cannot combine arrays of {left.Length} and {right.Length} rows", nameof(right));
        }
        return Run(left.Data, right.Data, broadcast: false, op);
    }

    private static ArrowArray Scalar(ArrowArray left, object? right, Op op)
    {
        ArgumentNullException.ThrowIfNull(left);
        if (right is null)
        {
            var kind = NumericValues.KindOf(left.Type);
            var type = kind == NumericKind.Float ? ArrowType.Float64 : kind == NumericKind.Unsigned ? ArrowType.UInt64 : ArrowType.Int64;
            var length = left.Length;
            return ArrowArray.Create(new ArrayData(type, length, length, [new byte[BitUtil.BytesFor(length)], new byte[length * 8]]));
        }
        if (right is string or bool or byte[])
        {
            throw new ArgumentException($"cannot do arithmetic with a {right.GetType().Name}", nameof(right));
        }
        return Run(left.Data, Comparison.ScalarArray(right), broadcast: true, op);
    }

    private static ArrowArray Run(ArrayData left, ArrayData right, bool broadcast, Op op)
    {
        var lk = NumericValues.KindOf(left.Type);
        var rk = NumericValues.KindOf(right.Type);
        if (lk == NumericKind.None || rk == NumericKind.None)
        {
            throw new ArgumentException($"cannot {op.ToString().ToLowerInvariant()} {left.Type} and {right.Type}");
        }
        var length = left.Length;
        var validity = Bitmaps.And(Bitmaps.Validity(left), broadcast ? null : Bitmaps.Validity(right));
        if (validity is not null)
        {
            validity = (byte[])validity.Clone();
        }
        if (lk == NumericKind.Float || rk == NumericKind.Float)
        {
            var values = Compute(NumericValues.ToDouble(left), NumericValues.ToDouble(right), broadcast, op, ref validity, length, integer: false);
            return Result(ArrowType.Float64, values, validity, length);
        }
        if (lk == NumericKind.Unsigned && rk == NumericKind.Unsigned)
        {
            var values = Compute(NumericValues.ToUInt64(left), NumericValues.ToUInt64(right), broadcast, op, ref validity, length, integer: true);
            return Result(ArrowType.UInt64, values, validity, length);
        }
        var a = lk == NumericKind.Signed ? NumericValues.ToInt64(left) : CheckedSigned(NumericValues.ToUInt64(left), left, length);
        var b = rk == NumericKind.Signed ? NumericValues.ToInt64(right) : CheckedSigned(NumericValues.ToUInt64(right), right, broadcast ? 1 : length);
        return Result(ArrowType.Int64, Compute(a, b, broadcast, op, ref validity, length, integer: true), validity, length);
    }

    private static long[] CheckedSigned(ulong[] values, ArrayData data, int count)
    {
        var result = new long[values.Length];
        for (var i = 0; i < count; i++)
        {
            if (values[i] > long.MaxValue && !data.IsNull(i))
            {
                throw new ArithmeticException($"integer overflow: uint64 value {values[i]} at row {i} does not fit in int64");
            }
            result[i] = unchecked((long)values[i]);
        }
        return result;
    }

    private static ArrowArray Result<T>(ArrowType type, T[] values, byte[]? validity, int length) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var nulls = Bitmaps.NullCount(validity, length);
        return ArrowArray.Create(new ArrayData(type, length, nulls, [nulls == 0 ? ReadOnlyMemory<byte>.Empty : validity, bytes]));
    }

    private static T[] Compute<T>(T[] a, T[] b, bool broadcast, Op op, ref byte[]? validity, int length, bool integer)
        where T : unmanaged, INumber<T>
    {
        if (integer)
        {
            // Null rows are not evaluated: give them harmless operands so they cannot overflow or divide by zero.
            if (validity is not null)
            {
                for (var i = 0; i < length; i++)
                {
                    if (!BitUtil.GetBit(validity, i))
                    {
                        a[i] = T.Zero;
                        if (!broadcast)
                        {
                            b[i] = T.One;
                        }
                    }
                }
            }
            if (op is Op.Divide or Op.Modulo)
            {
                if (broadcast && b[0] == T.Zero)
                {
                    validity = new byte[BitUtil.BytesFor(length)];
                    b[0] = T.One;
                }
                else if (!broadcast && b.AsSpan().Contains(T.Zero))
                {
                    if (validity is null)
                    {
                        validity = new byte[BitUtil.BytesFor(length)];
                        validity.AsSpan().Fill(0xFF);
                    }
                    for (var i = 0; i < length; i++)
                    {
                        if (b[i] == T.Zero)
                        {
                            BitUtil.ClearBit(validity, i);
                            b[i] = T.One;
                        }
                    }
                }
            }
        }
        var result = new T[length];
        var stride = broadcast ? 0 : 1;
        var row = 0;
        try
        {
            switch (op)
            {
                case Op.Add:
                    for (; row < length; row++)
                    {
                        result[row] = checked(a[row] + b[row * stride]);
                    }
                    break;
                case Op.Subtract:
                    for (; row < length; row++)
                    {
                        result[row] = checked(a[row] - b[row * stride]);
                    }
                    break;
                case Op.Multiply:
                    for (; row < length; row++)
                    {
                        result[row] = checked(a[row] * b[row * stride]);
                    }
                    break;
                case Op.Divide:
                    for (; row < length; row++)
                    {
                        result[row] = checked(a[row] / b[row * stride]);
                    }
                    break;
                default:
                    var minusOne = T.IsNegative(-T.One) ? -T.One : T.Zero;
                    for (; row < length; row++)
                    {
                        var divisor = b[row * stride];
                        result[row] = integer && T.IsNegative(divisor) && divisor == minusOne ? T.Zero : a[row] % divisor;
                    }
                    break;
            }
        }
        catch (OverflowException)
        {
            var symbol = op switch { Op.Add => "+", Op.Subtract => "-", Op.Multiply => "*", Op.Divide => "/", _ => "%" };
            var typeName = typeof(T) == typeof(long) ? "int64" : "uint64";
            throw new ArithmeticException($"integer overflow: {a[row]} {symbol} {b[row * stride]} at row {row} does not fit in {typeName}");
        }
        return result;
    }
}
