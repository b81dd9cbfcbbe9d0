using System.Numerics;
using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Functions;

/// <summary>Numeric functions: abs, round, trigonometry, logarithms, gcd, …</summary>
internal static class MathFunctions
{
    private static readonly ArgKind[] OneNumber = [ArgKind.Number];
    private static readonly ArgKind[] TwoNumbers = [ArgKind.Number, ArgKind.Number];

    public static void Register(List<ScalarFunction> into)
    {
        into.Add(Define.Function("abs", "number", 1, 1, OneNumber, t => FunctionTypes.IntegerPreserving(t[0]), Abs));
        into.Add(Define.Function("round", "number[, digits]", 1, 2, [ArgKind.Number, ArgKind.Integer], t => FunctionTypes.IntegerPreserving(t[0]), a => Round(a, truncate: false)));
        into.Add(Define.Function("trunc", "number[, digits]", 1, 2, [ArgKind.Number, ArgKind.Integer], t => FunctionTypes.IntegerPreserving(t[0]), a => Round(a, truncate: true)));
        into.Add(Define.Function("floor", "number", 1, 1, OneNumber, t => FunctionTypes.IntegerPreserving(t[0]), a => FloorOrCeil(a, Math.Floor)));
        foreach (var name in (string[])["ceil", "ceiling"])
        {
            into.Add(Define.Function(name, "number", 1, 1, OneNumber, t => FunctionTypes.IntegerPreserving(t[0]), a => FloorOrCeil(a, Math.Ceiling)));
        }
        (string Name, Func<double, double> F)[] unary =
        [
            ("sqrt", Math.Sqrt), ("cbrt", Math.Cbrt), ("exp", Math.Exp), ("ln", Math.Log), ("log10", Math.Log10), ("log2", Math.Log2),
            ("sin", Math.Sin), ("cos", Math.Cos), ("tan", Math.Tan), ("cot", x => 1 / Math.Tan(x)),
            ("asin", Math.Asin), ("acos", Math.Acos), ("atan", Math.Atan),
            ("sinh", Math.Sinh), ("cosh", Math.Cosh), ("tanh", Math.Tanh), ("asinh", Math.Asinh), ("acosh", Math.Acosh), ("atanh", Math.Atanh),
            ("degrees", x => x * (180 / Math.PI)), ("radians", x => x * (Math.PI / 180)), ("signum", Signum),
        ];
        foreach (var (name, f) in unary)
        {
            into.Add(Define.Fixed(name, "number", OneNumber, ArrowType.Float64, a => Kernel.Doubles(a, f)));
        }
        // DataFusion: log(x) is the base-10 logarithm, log(base, x) is x's logarithm in that base.
        into.Add(Define.Function("log", "[base, ]number", 1, 2, TwoNumbers, _ => ArrowType.Float64, a => a.Count == 1
            ? Kernel.Doubles(a, Math.Log10)
            : Kernel.Map(a, (r, i) => Math.Log(r[1].Double(i)) / Math.Log(r[0].Double(i)), Kernel.Float64s)));
        foreach (var name in (string[])["power", "pow"])
        {
            into.Add(Define.Fixed(name, "base, exponent", TwoNumbers, ArrowType.Float64, a => Kernel.Map(a, (r, i) => Math.Pow(r[0].Double(i), r[1].Double(i)), Kernel.Float64s)));
        }
        into.Add(Define.Fixed("atan2", "y, x", TwoNumbers, ArrowType.Float64, a => Kernel.Map(a, (r, i) => Math.Atan2(r[0].Double(i), r[1].Double(i)), Kernel.Float64s)));
        into.Add(Define.Fixed("pi", "", [], ArrowType.Float64, _ => ColumnarValue.Constant(Math.PI)));
        // Integer bitwise operators (InfluxQL's &, | and ^; DataFusion's bit operators).
        foreach (var (name, op) in (ReadOnlySpan<(string, Func<long, long, long>)>)[("bit_and", (x, y) => x & y), ("bit_or", (x, y) => x | y), ("bit_xor", (x, y) => x ^ y)])
        {
            var f = op;
            into.Add(Define.Fixed(name, "integer, integer", [ArgKind.Integer, ArgKind.Integer], ArrowType.Int64, a => Kernel.Map(a, (r, i) => f(r[0].Long(i), r[1].Long(i)), Kernel.Int64s)));
        }
        into.Add(Define.Function("random", "", 0, 0, [ArgKind.Any], _ => ArrowType.Float64, Random, isVolatile: true));
        into.Add(Define.Fixed("isnan", "number", OneNumber, ArrowType.Boolean, a => Kernel.Map(a, (r, i) => double.IsNaN(r[0].Double(i)), Kernel.Bools)));
        into.Add(Define.Fixed("iszero", "number", OneNumber, ArrowType.Boolean, a => Kernel.Map(a, (r, i) => r[0].Double(i) == 0, Kernel.Bools)));
        into.Add(Define.Fixed("nanvl", "x, y", TwoNumbers, ArrowType.Float64, a => Kernel.Map(a, (r, i) => r[0].Double(i) is var x && double.IsNaN(x) ? r[1].Double(i) : x, Kernel.Float64s)));
        into.Add(Define.Fixed("gcd", "x, y", [ArgKind.Integer, ArgKind.Integer], ArrowType.Int64, a => Kernel.Map(a, (r, i) => Gcd(r[0].Long(i), r[1].Long(i)), Kernel.Int64s)));
        into.Add(Define.Fixed("lcm", "x, y", [ArgKind.Integer, ArgKind.Integer], ArrowType.Int64, a => Kernel.Map(a, (r, i) => Lcm(r[0].Long(i), r[1].Long(i)), Kernel.Int64s)));
        into.Add(Define.Fixed("factorial", "n", [ArgKind.Integer], ArrowType.Int64, a => Kernel.Map(a, (r, i) => Factorial(r[0].Long(i)), Kernel.Int64s)));
    }

    private static FunctionException Overflow(string function) => new($"{function}: integer overflow");

    private static ColumnarValue Abs(FunctionArguments a)
    {
        var type = a.Types[0];
        if (FunctionTypes.IsFloat(type))
        {
            return Kernel.Doubles(a, Math.Abs);
        }
        if (type.Id == ArrowTypeId.UInt64)
        {
            return a[0];
        }
        return Kernel.Map(a, (r, i) => r[0].Long(i) is var x && x == long.MinValue ? throw Overflow("abs") : Math.Abs(x), Kernel.Int64s);
    }

    private static ColumnarValue FloorOrCeil(FunctionArguments a, Func<double, double> f)
    {
        var type = a.Types[0];
        if (FunctionTypes.IsFloat(type))
        {
            return Kernel.Doubles(a, f);
        }
        // Integers are already whole: the same values, as int64 (uint64 unchanged).
        if (type.Id is ArrowTypeId.Int64 or ArrowTypeId.UInt64 || a[0].IsScalar)
        {
            return a[0];
        }
        return Kernel.Map(a, (r, i) => r[0].Long(i), Kernel.Int64s);
    }

    /// <summary>
    /// round/trunc to <c>digits</c> decimal places (negative: to tens, hundreds, …). Floats as DataFusion does it,
    /// <c>round(x * 10^d) / 10^d</c> with halves away from zero; integers stay integers, rounded exactly in 128 bits.
    /// </summary>
    private static ColumnarValue Round(FunctionArguments a, bool truncate)
    {
        var type = a.Types[0];
        var hasDigits = a.Count > 1;
        var name = truncate ? "trunc" : "round";
        if (FunctionTypes.IsFloat(type))
        {
            if (!hasDigits)
            {
                return Kernel.Doubles(a, truncate ? Math.Truncate : x => Math.Round(x, MidpointRounding.AwayFromZero));
            }
            return Kernel.Map(a, (r, i) => RoundDouble(r[0].Double(i), r[1].Long(i), truncate), Kernel.Float64s);
        }
        if (type.Id == ArrowTypeId.UInt64)
        {
            return Kernel.Map(a, (r, i) => (ulong)RoundInteger(r[0].ULong(i), hasDigits ? r[1].Long(i) : 0, truncate, ulong.MaxValue, name), Kernel.UInt64s);
        }
        return Kernel.Map(a, (r, i) => (long)RoundInteger(r[0].Long(i), hasDigits ? r[1].Long(i) : 0, truncate, long.MaxValue, name), Kernel.Int64s);
    }

    private static double RoundDouble(double x, long digits, bool truncate)
    {
        if (digits == 0)
        {
            return truncate ? Math.Truncate(x) : Math.Round(x, MidpointRounding.AwayFromZero);
        }
        var scale = Math.Pow(10, digits);
        var scaled = x * scale;
        return (truncate ? Math.Truncate(scaled) : Math.Round(scaled, MidpointRounding.AwayFromZero)) / scale;
    }

    private static Int128 RoundInteger(Int128 x, long digits, bool truncate, Int128 max, string function)
    {
        if (digits >= 0)
        {
            return x;
        }
        if (digits < -38)
        {
            return 0;
        }
        var p = Int128.One;
        for (var k = 0L; k < -digits; k++)
        {
            p *= 10;
        }
        var q = Int128.DivRem(x, p);
        var result = q.Quotient;
        if (!truncate && Int128.Abs(q.Remainder) * 2 >= p)
        {
            result += Int128.Sign(x);
        }
        result *= p;
        return result > max || result < -max - 1 ? throw Overflow(function) : result;
    }

    private static double Signum(double x) => double.IsNaN(x) ? double.NaN : x > 0 ? 1 : x < 0 ? -1 : 0;

    private static ColumnarValue Random(FunctionArguments a)
    {
        // One draw per row: random() is volatile, so the planner never folds it to one constant.
        var values = new double[a.RowCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = System.Random.Shared.NextDouble();
        }
        return ColumnarValue.Of(Columns.FromValues(ArrowType.Float64, values, null));
    }

    private static long Gcd(long x, long y)
    {
        var g = BinaryGcd(UnsignedAbs(x), UnsignedAbs(y));
        return g > long.MaxValue ? throw Overflow("gcd") : (long)g;
    }

    private static long Lcm(long x, long y)
    {
        if (x == 0 || y == 0)
        {
            return 0;
        }
        var ux = UnsignedAbs(x);
        var uy = UnsignedAbs(y);
        var l = (UInt128)(ux / BinaryGcd(ux, uy)) * uy;
        return l > long.MaxValue ? throw Overflow("lcm") : (long)l;
    }

    private static ulong UnsignedAbs(long x) => x < 0 ? unchecked((ulong)-(x + 1)) + 1 : (ulong)x;

    private static ulong BinaryGcd(ulong u, ulong v)
    {
        if (u == 0)
        {
            return v;
        }
        if (v == 0)
        {
            return u;
        }
        var shift = BitOperations.TrailingZeroCount(u | v);
        u >>= BitOperations.TrailingZeroCount(u);
        do
        {
            v >>= BitOperations.TrailingZeroCount(v);
            if (u > v)
            {
                (u, v) = (v, u);
            }
            v -= u;
        }
        while (v != 0);
        return u << shift;
    }

    /// <summary>As DataFusion: the product 1·2·…·n, 1 for n below 1, an error past int64 (n &gt; 20).</summary>
    private static long Factorial(long n)
    {
        long result = 1;
        for (long k = 2; k <= n; k++)
        {
            if (k > 20)
            {
                throw Overflow("factorial");
            }
            result *= k;
        }
        return result;
    }
}
