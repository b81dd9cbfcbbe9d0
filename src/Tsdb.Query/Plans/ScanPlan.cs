using Tsdb.Arrow.Types;
using Tsdb.Query.Expressions;

namespace Tsdb.Query.Plans;

/// <summary>
/// Rows of a stored table: only the <see cref="Projection"/> columns (positions in <see cref="TableSchema"/>), only rows
/// matching <see cref="Filter"/> (over the projected columns; its time range and tag values are pushed to storage),
/// at most <see cref="Fetch"/> rows when set.
/// </summary>
public sealed class ScanPlan(string database, string table, Schema tableSchema, IReadOnlyList<int> projection, Expr? filter = null, long? fetch = null) : LogicalPlan
{
    public string Database { get; } = database;

    public string Table { get; } = table;

    public Schema TableSchema { get; } = tableSchema;

    public IReadOnlyList<int> Projection { get; } = projection;

    public Expr? Filter { get; } = filter;

    public long? Fetch { get; } = fetch;

    public override Schema Schema { get; } = new(projection.Select(i => tableSchema[i]));

    public override IReadOnlyList<LogicalPlan> Inputs => [];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this;

    public ScanPlan With(IReadOnlyList<int>? projection = null, Expr? filter = null, long? fetch = null, bool clearFilter = false) =>
        new(Database, Table, TableSchema, projection ?? Projection, clearFilter ? filter : filter ?? Filter, fetch ?? Fetch);

    public override string Describe() =>
        $"Scan: {Table} projection=[{string.Join(", ", Schema.Fields.Select(f => f.Name))}]"
        + (Filter is null ? "" : $" filter={Filter}")
        + (Fetch is null ? "" : $" fetch={Fetch}");
}
