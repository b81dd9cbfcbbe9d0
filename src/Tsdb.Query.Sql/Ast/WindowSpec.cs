namespace Tsdb.Query.Sql;

/// <summary>
/// The <c>OVER (PARTITION BY … ORDER BY … frame)</c> of a window function call; <see cref="Frame"/> is null when none
/// was written (the default: the partition up to the current row's last peer with ORDER BY, the whole partition without).
/// </summary>
public sealed record WindowSpec(IReadOnlyList<Expression> PartitionBy, IReadOnlyList<OrderByItem> OrderBy, WindowFrame? Frame, TextSpan Span) : SqlNode(Span);
