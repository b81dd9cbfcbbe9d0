namespace Tsdb.Query.Execution;

/// <summary>
/// One ORDER BY key of an <see cref="ExternalSorter"/>: the position of an already computed column in the sorter's
/// schema, its direction, and where nulls go (regardless of direction, as in <c>Sorting.SortIndices</c>).
/// </summary>
public sealed record SortKey(int Column, bool Descending, bool NullsFirst);
