using System.Globalization;
using System.Text;

namespace Tsdb.Core.Deletes;

/// <summary>
/// Which rows of a table a delete removes: those with a time in [<see cref="FromTime"/>, <see cref="ToTime"/>]
/// (inclusive, ns; null: unbounded) for which every term holds. A term on a column a row lacks (null) does not
/// hold, as in SQL, so <c>host != 'a'</c> does not delete rows without a host.
/// </summary>
public sealed record DeletePredicate(long? FromTime, long? ToTime, IReadOnlyList<DeleteTerm> Terms)
{
    /// <summary>The columns the terms read.</summary>
    public IEnumerable<string> Columns => Terms.Select(t => t.Column).Distinct(StringComparer.Ordinal);

    public bool Overlaps(long min, long max) => (FromTime is not { } from || max >= from) && (ToTime is not { } to || min <= to);

    /// <summary>Whether every row in [min, max] is deleted whatever its values: no terms and the range covered.</summary>
    public bool Covers(long min, long max) => Terms.Count == 0 && (FromTime is not { } from || min >= from) && (ToTime is not { } to || max <= to);

    public override string ToString() => ToString(t => t.ToString(CultureInfo.InvariantCulture));

    /// <summary>The predicate as text, times written by <paramref name="time"/> (e.g. as RFC 3339).</summary>
    public string ToString(Func<long, string> time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"time in [{(FromTime is { } f ? time(f) : "-inf")}, {(ToTime is { } t ? time(t) : "+inf")}]");
        foreach (var term in Terms)
        {
            text.Append(" AND ").Append(term);
        }
        return text.ToString();
    }
}

public enum DeleteOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>
/// <c>column op literal</c>. The literal is one of <see cref="String"/> (tags and string fields), <see cref="Number"/>
/// (numeric fields; <see cref="Integer"/> too when it is a whole number, so 64-bit integers compare exactly) or
/// <see cref="Boolean"/>.
/// </summary>
public sealed record DeleteTerm(string Column, DeleteOperator Operator)
{
    public string? String { get; init; }

    public double? Number { get; init; }

    public long? Integer { get; init; }

    public bool? Boolean { get; init; }

    public static DeleteTerm Of(string column, DeleteOperator op, string value) => new(column, op) { String = value };

    public static DeleteTerm Of(string column, DeleteOperator op, double value) =>
        new(column, op) { Number = value, Integer = Math.Floor(value) == value && Math.Abs(value) < 9.2e18 ? (long)value : null };

    public static DeleteTerm Of(string column, DeleteOperator op, long value) => new(column, op) { Number = value, Integer = value };

    public static DeleteTerm Of(string column, DeleteOperator op, bool value) => new(column, op) { Boolean = value };

    /// <summary>Whether <c>value op literal</c> holds, given how the value compares with the literal.</summary>
    public bool Holds(int comparison) => Operator switch
    {
        DeleteOperator.Equal => comparison == 0,
        DeleteOperator.NotEqual => comparison != 0,
        DeleteOperator.Less => comparison < 0,
        DeleteOperator.LessOrEqual => comparison <= 0,
        DeleteOperator.Greater => comparison > 0,
        _ => comparison >= 0,
    };

    public override string ToString()
    {
        var op = Operator switch
        {
            DeleteOperator.Equal => "=",
            DeleteOperator.NotEqual => "!=",
            DeleteOperator.Less => "<",
            DeleteOperator.LessOrEqual => "<=",
            DeleteOperator.Greater => ">",
            _ => ">=",
        };
        var literal = String is { } s ? "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'"
            : Boolean is { } b ? (b ? "true" : "false")
            : Integer is { } i ? i.ToString(CultureInfo.InvariantCulture)
            : Number?.ToString("R", CultureInfo.InvariantCulture) ?? "null";
        return $"{Column} {op} {literal}";
    }
}
