using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Expressions;

/// <summary>A constant: null, long, ulong, double, string, bool, <see cref="TimestampScalar"/> or <see cref="IntervalScalar"/>.</summary>
public sealed class LiteralExpr(object? value, ArrowType? type = null) : Expr
{
    public object? Value { get; } = value;

    public override ArrowType Type { get; } = type ?? TypeOf(value);

    /// <summary>The same constant declared as <paramref name="type"/> (a folded CAST(NULL AS BIGINT) is a NULL of Int64).</summary>
    public LiteralExpr WithType(ArrowType type) => new(Value, type) { Location = Location };

    public override IReadOnlyList<Expr> Children => [];

    public override bool IsConstant => true;

    public override Expr WithChildren(IReadOnlyList<Expr> children) => this;

    // A typed NULL (CAST(NULL AS DOUBLE), a field a measurement lacks) evaluates to nulls of its type: an untyped
    // constant would widen to int64 and meet operators that expect the declared type.
    protected override ColumnarValue EvaluateCore(RecordBatch batch, EvalContext context) =>
        Value is null && Type.Id != ArrowTypeId.Null ? ColumnarValue.Of(Columns.NullOf(Type, batch.Length)) : ColumnarValue.Constant(Value);

    /// <summary>The Arrow type of a scalar; an interval has none of its own and reads as Int64 nanoseconds.</summary>
    public static ArrowType TypeOf(object? value) => value switch
    {
        null => ArrowType.Null,
        long or IntervalScalar => ArrowType.Int64,
        ulong => ArrowType.UInt64,
        double => ArrowType.Float64,
        string => ArrowType.Utf8,
        bool => ArrowType.Boolean,
        TimestampScalar => ArrowType.TimestampNanosecond,
        _ => throw new ArgumentException($"not a scalar: {value.GetType().Name}", nameof(value)),
    };

    public override string ToString() => Format(Value);

    public static string Format(object? value) => value switch
    {
        null => "NULL",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        TimestampScalar t => "TIMESTAMP '" + TimeText.FormatTimestamp(t.Nanos) + "'",
        IntervalScalar i => "INTERVAL '" + i.Nanos.ToString(CultureInfo.InvariantCulture) + " nanoseconds'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
