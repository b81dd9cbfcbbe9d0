using Tsdb.Arrow.Types;

namespace Tsdb.Query.Plans;

/// <summary>
/// Walks each series (rows with equal <see cref="SeriesKeys"/>, its input sorted by them and then by time) in order,
/// as InfluxQL's iterators do: applies each column's <see cref="SeriesTransform"/> (derivative, difference, moving
/// average, …, over the column's non-null values), drops rows where every <see cref="RequireAnyOf"/> column is null,
/// then keeps rows <see cref="Offset"/>… of each series up to <see cref="Limit"/>, and series
/// <see cref="SeriesOffset"/>… up to <see cref="SeriesLimit"/>. Rows before <see cref="EmitFrom"/> feed the
/// functions but are not answered (InfluxQL reads one interval early so a derivative has a value at the start).
/// Output order is the input's.
/// </summary>
public sealed class SeriesTransformPlan(
    LogicalPlan input,
    IReadOnlyList<int> seriesKeys,
    int time,
    IReadOnlyList<SeriesTransform> transforms,
    IReadOnlyList<int> requireAnyOf,
    long offset = 0,
    long? limit = null,
    long seriesOffset = 0,
    long? seriesLimit = null,
    long? emitFrom = null) : LogicalPlan
{
    public LogicalPlan Input { get; } = input;

    public IReadOnlyList<int> SeriesKeys { get; } = seriesKeys;

    public int Time { get; } = time;

    public IReadOnlyList<SeriesTransform> Transforms { get; } = transforms;

    public IReadOnlyList<int> RequireAnyOf { get; } = requireAnyOf;

    public long Offset { get; } = offset;

    public long? Limit { get; } = limit;

    public long SeriesOffset { get; } = seriesOffset;

    public long? SeriesLimit { get; } = seriesLimit;

    public long? EmitFrom { get; } = emitFrom;

    public override Schema Schema { get; } = OutputSchema(input.Schema, transforms);

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) =>
        new SeriesTransformPlan(inputs[0], SeriesKeys, Time, Transforms, RequireAnyOf, Offset, Limit, SeriesOffset, SeriesLimit, EmitFrom);

    public override string Describe() => Describe(Input.Schema, SeriesKeys, Transforms, RequireAnyOf, Offset, Limit, SeriesOffset, SeriesLimit, "SeriesTransform");

    public static Schema OutputSchema(Schema input, IReadOnlyList<SeriesTransform> transforms)
    {
        var fields = input.Fields.ToArray();
        foreach (var t in transforms)
        {
            var f = fields[t.Column];
            fields[t.Column] = new Field(f.Name, t.ResultType(f.Type), true);
        }
        return new Schema(fields);
    }

    /// <summary>The one-line form EXPLAIN shows, for the logical node and its operator.</summary>
    public static string Describe(Schema schema, IReadOnlyList<int> keys, IReadOnlyList<SeriesTransform> transforms, IReadOnlyList<int> requireAnyOf,
        long offset, long? limit, long seriesOffset, long? seriesLimit, string label)
    {
        var parts = new List<string> { $"series=[{string.Join(", ", keys.Select(k => schema[k].Name))}]" };
        var applied = transforms.Where(t => t.Function != SeriesFunction.None).Select(t => t.Describe(schema[t.Column].Name)).ToList();
        if (applied.Count > 0)
        {
            parts.Add($"functions=[{string.Join(", ", applied)}]");
        }
        if (requireAnyOf.Count > 0)
        {
            parts.Add($"non_null_any=[{string.Join(", ", requireAnyOf.Select(c => schema[c].Name))}]");
        }
        if (offset > 0 || limit is not null)
        {
            parts.Add($"per_series offset={offset} limit={(limit is { } l ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}");
        }
        if (seriesOffset > 0 || seriesLimit is not null)
        {
            parts.Add($"series offset={seriesOffset} limit={(seriesLimit is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}");
        }
        return $"{label}: {string.Join(", ", parts)}";
    }
}
