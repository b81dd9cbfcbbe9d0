using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Plans;

/// <summary>Rows known at planning time: metadata views, SELECT without FROM (one row, no columns).</summary>
public sealed class ValuesPlan(Schema schema, IReadOnlyList<RecordBatch> batches, string name) : LogicalPlan
{
    public override Schema Schema { get; } = schema;

    public IReadOnlyList<RecordBatch> Batches { get; } = batches;

    public string Name { get; } = name;

    public override IReadOnlyList<LogicalPlan> Inputs => [];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => this;

    public override string Describe() => $"Values: {Name} rows={Batches.Sum(b => b.Length)}";
}
