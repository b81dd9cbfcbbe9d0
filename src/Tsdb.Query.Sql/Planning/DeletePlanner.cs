using Tsdb.Arrow.Types;
using Tsdb.Core.Deletes;

namespace Tsdb.Query.Sql;

/// <summary>
/// Turns <c>DELETE FROM t WHERE …</c> into a <see cref="DeletePredicate"/>: an AND of comparisons between a column and
/// a literal; comparisons (and BETWEEN) on time bound the time range (a timestamp string or nanoseconds). Anything
/// else (OR, functions, IN, …) is refused at its position: a delete must say exactly which rows go.
/// </summary>
internal sealed class DeletePlanner(string sql, Schema schema)
{
    private long? _from;
    private long? _to;
    private readonly List<DeleteTerm> _terms = [];

    public DeletePredicate Plan(DeleteStatement statement)
    {
        if (statement.Where is { } where)
        {
            Conjunct(where);
        }
        return new DeletePredicate(_from, _to, _terms);
    }

    private void Conjunct(Expression e)
    {
        switch (e)
        {
            case BinaryExpression { Operator: BinaryOperator.And } and:
                Conjunct(and.Left);
                Conjunct(and.Right);
                return;
            case BinaryExpression { Operator: BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual } c:
                if (c.Left is ColumnReference left)
                {
                    Compare(left, Operator(c.Operator), c.Right);
                }
                else if (c.Right is ColumnReference right)
                {
                    Compare(right, Flip(Operator(c.Operator)), c.Left);
                }
                else
                {
                    throw Error(c.Span, "a DELETE condition compares a column with a literal");
                }
                return;
            case BetweenExpression { Negated: false, Operand: ColumnReference column } between:
                Compare(column, DeleteOperator.GreaterOrEqual, between.Low);
                Compare(column, DeleteOperator.LessOrEqual, between.High);
                return;
            default:
                throw Error(e.Span, "DELETE supports only comparisons of a column with a literal joined by AND (no OR, IN, functions or expressions)");
        }
    }

    private void Compare(ColumnReference reference, DeleteOperator op, Expression literal)
    {
        var name = reference.Parts[^1].Value;
        var index = schema.GetFieldIndex(name);
        if (index < 0)
        {
            throw Error(reference.Span, $"column '{name}' not found");
        }
        var type = schema[index].Type;
        if (type.Id == ArrowTypeId.Timestamp)
        {
            if (op == DeleteOperator.NotEqual)
            {
                throw Error(reference.Span, "time != … cannot bound a delete; use <, <=, >, >=, = or BETWEEN");
            }
            var t = Time(literal);
            switch (op)
            {
                case DeleteOperator.Equal:
                    Lower(t);
                    Upper(t);
                    break;
                case DeleteOperator.Greater:
                    Lower(t == long.MaxValue ? t : t + 1);
                    break;
                case DeleteOperator.GreaterOrEqual:
                    Lower(t);
                    break;
                case DeleteOperator.Less:
                    Upper(t == long.MinValue ? t : t - 1);
                    break;
                default:
                    Upper(t);
                    break;
            }
            return;
        }
        var isText = type.Id is ArrowTypeId.Utf8 or ArrowTypeId.Dictionary;
        var isNumber = type.Id is ArrowTypeId.Float64 or ArrowTypeId.Int64 or ArrowTypeId.UInt64;
        _terms.Add((literal, isText, isNumber, type.Id == ArrowTypeId.Boolean) switch
        {
            (StringLiteral s, true, _, _) => DeleteTerm.Of(name, op, s.Value),
            (IntegerLiteral i, _, true, _) => DeleteTerm.Of(name, op, i.Value),
            (FloatLiteral f, _, true, _) => DeleteTerm.Of(name, op, f.Value),
            (UnaryExpression { Operator: UnaryOperator.Negate, Operand: IntegerLiteral i }, _, true, _) => DeleteTerm.Of(name, op, -i.Value),
            (UnaryExpression { Operator: UnaryOperator.Negate, Operand: FloatLiteral f }, _, true, _) => DeleteTerm.Of(name, op, -f.Value),
            (BooleanLiteral b, _, _, true) => DeleteTerm.Of(name, op, b.Value),
            _ => throw Error(literal.Span, $"column '{name}' is {Describe(type)}: compare it with {(isText ? "a string" : isNumber ? "a number" : "true or false")}"),
        });
    }

    private long Time(Expression literal) => literal switch
    {
        StringLiteral s when TimeText.TryParseTimestamp(s.Value, out var ns) => ns,
        IntegerLiteral i => i.Value,
        _ => throw Error(literal.Span, "time is compared with a timestamp string ('2024-01-01T00:00:00Z') or nanoseconds since the epoch"),
    };

    private void Lower(long t) => _from = _from is { } f ? Math.Max(f, t) : t;

    private void Upper(long t) => _to = _to is { } u ? Math.Min(u, t) : t;

    private static string Describe(ArrowType type) => type.Id switch
    {
        ArrowTypeId.Dictionary => "a tag",
        ArrowTypeId.Utf8 => "a string field",
        ArrowTypeId.Boolean => "a boolean field",
        _ => "a numeric field",
    };

    private static DeleteOperator Operator(BinaryOperator op) => op switch
    {
        BinaryOperator.Equal => DeleteOperator.Equal,
        BinaryOperator.NotEqual => DeleteOperator.NotEqual,
        BinaryOperator.Less => DeleteOperator.Less,
        BinaryOperator.LessOrEqual => DeleteOperator.LessOrEqual,
        BinaryOperator.Greater => DeleteOperator.Greater,
        _ => DeleteOperator.GreaterOrEqual,
    };

    private static DeleteOperator Flip(DeleteOperator op) => op switch
    {
        DeleteOperator.Less => DeleteOperator.Greater,
        DeleteOperator.LessOrEqual => DeleteOperator.GreaterOrEqual,
        DeleteOperator.Greater => DeleteOperator.Less,
        DeleteOperator.GreaterOrEqual => DeleteOperator.LessOrEqual,
        _ => op,
    };

    private QueryException Error(TextSpan span, string detail)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < span.Start && i < sql.Length; i++)
        {
            if (sql[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return new QueryException(detail, line, span.Start - lineStart + 1);
    }
}
