using Tsdb.Query.Sql;

namespace Tsdb.Query;

/// <summary>
/// One statement's context: the query text (to turn AST spans into "line L, column C" in errors), the values bound to
/// its <c>$name</c> parameters, and its memory budget.
/// </summary>
internal sealed class QueryText(string sql)
{
    public IReadOnlyDictionary<string, object?> Parameters { get; init; } = new Dictionary<string, object?>();

    public MemoryBudget Budget { get; init; } = new(long.MaxValue);

    private (IReadOnlySet<string> Identifiers, bool Wildcard)? _names;

    /// <summary>Every identifier of the statement (see <see cref="SqlParser.NamesUsed"/>).</summary>
    public IReadOnlySet<string> Identifiers => (_names ??= SqlParser.NamesUsed(sql)).Identifiers;

    /// <summary>Whether a <c>*</c> may select all columns somewhere in the statement.</summary>
    public bool HasWildcard => (_names ??= SqlParser.NamesUsed(sql)).Wildcard;

    /// <summary>The value bound to <c>$name</c>; a missing one is an error naming it.</summary>
    public object? Parameter(ParameterExpression p) =>
        Parameters.TryGetValue(p.Name, out var value)
            ? value
            : throw Error(p.Span, $"no value given for parameter ${p.Name} (pass it in \"params\")");

    public QueryException Error(TextSpan span, string detail)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < span.Start && i < sql.Length; i++)
        {
            if (sql[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return new QueryException(detail, line, column);
    }
}
