using Tsdb.Core.Schema;

namespace Tsdb.Catalog;

/// <summary>A column of a table and its kind, fixed by the column's first write.</summary>
public sealed record ColumnDefinition(string Name, ColumnKind Kind);
