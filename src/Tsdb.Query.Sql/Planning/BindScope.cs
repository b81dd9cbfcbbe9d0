using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Sql;

/// <summary>
/// The columns a SQL expression can name at one point of a query: position i is column i of the plan being built,
/// with the qualifier it can be named by (table alias or name; null for derived columns).
/// </summary>
internal sealed class BindScope
{
    private readonly List<(string? Qualifier, string Name, ArrowType Type)> _columns = [];

    // Columns from this position on are found only when none before it has the name: a decorrelated subquery's
    // outer values, which its own columns shadow as SQL scopes do.
    private int _shadowedFrom = int.MaxValue;

    public IReadOnlyList<(string? Qualifier, string Name, ArrowType Type)> Columns => _columns;

    public int Count => _columns.Count;

    public static BindScope Of(Schema schema, string? qualifier)
    {
        var scope = new BindScope();
        foreach (var f in schema.Fields)
        {
            scope._columns.Add((qualifier, f.Name, f.Type));
        }
        return scope;
    }

    public static BindScope Concat(BindScope left, BindScope right)
    {
        var scope = new BindScope();
        scope._columns.AddRange(left._columns);
        scope._columns.AddRange(right._columns);
        return scope;
    }

    /// <summary><paramref name="inner"/>'s columns, then <paramref name="outer"/> ones that a name finds only when no inner column has it.</summary>
    public static BindScope Shadowing(BindScope inner, IEnumerable<(string? Qualifier, string Name, ArrowType Type)> outer)
    {
        var scope = new BindScope();
        scope._columns.AddRange(inner._columns);
        scope._shadowedFrom = scope._columns.Count;
        scope._columns.AddRange(outer);
        return scope;
    }

    public void Add(string? qualifier, string name, ArrowType type) => _columns.Add((qualifier, name, type));

    /// <summary>Whether more than one qualifier is in scope (join output names columns "q.name" under *).</summary>
    public bool HasSeveralQualifiers => _columns.Select(c => c.Qualifier).Distinct().Count() > 1;

    /// <summary>
    /// The column <paramref name="parts"/> names: <c>q.x</c> by qualifier and name, <c>x</c> when exactly one column is
    /// called x. -1 when none; -2 when a bare name is ambiguous.
    /// </summary>
    public int Find(IReadOnlyList<string> parts)
    {
        if (_shadowedFrom < _columns.Count)
        {
            var inner = Find(parts, 0, _shadowedFrom);
            return inner != -1 ? inner : Find(parts, _shadowedFrom, _columns.Count);
        }
        return Find(parts, 0, _columns.Count);
    }

    private int Find(IReadOnlyList<string> parts, int from, int to)
    {
        var name = parts[^1];
        var qualifier = parts.Count > 1 ? parts[^2] : null;
        var found = -1;
        for (var i = from; i < to; i++)
        {
            var c = _columns[i];
            if (!string.Equals(c.Name, name, StringComparison.Ordinal))
            {
                continue;
            }
            if (qualifier is not null && !string.Equals(c.Qualifier, qualifier, StringComparison.Ordinal))
            {
                continue;
            }
            if (found >= 0)
            {
                return -2;
            }
            found = i;
        }
        return found;
    }

    public ColumnExpr Column(int index) => new(index, _columns[index].Name, _columns[index].Type);
}
