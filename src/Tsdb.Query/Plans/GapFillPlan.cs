using System.Globalization;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Plans;

/// <summary>
/// date_bin_gapfill: above a GROUP BY, one row per series (distinct values of <see cref="Series"/>) for every bin
/// <see cref="FirstBin"/>, FirstBin + <see cref="Stride"/>, … up to <see cref="LastBin"/> (inclusive) in the
/// <see cref="Time"/> column; rows the input lacks are made, their value columns filled as <see cref="Fills"/> say
/// (a column not listed is null there). The output is ordered by the series, then time; the schema is the input's.
/// </summary>
public sealed class GapFillPlan(LogicalPlan input, int time, IReadOnlyList<int> series, IReadOnlyList<GapFillColumn> fills, long firstBin, long lastBin, long stride) : LogicalPlan
{
    /// <summary>
    /// The most bins one series may get. Every series gets a row per bin, so a range far wider than the interval
    /// (a year of nanoseconds) would produce rows without end; the planner refuses such a query up front.
    /// </summary>
    public const long MaxBinsPerSeries = 10_000_000;

    public LogicalPlan Input { get; } = input;

    public int Time { get; } = time;

    public IReadOnlyList<int> Series { get; } = series;

    public IReadOnlyList<GapFillColumn> Fills { get; } = fills;

    public long FirstBin { get; } = firstBin;

    public long LastBin { get; } = lastBin;

    public long Stride { get; } = stride;

    /// <summary>Bins per series: 0 when the range is empty.</summary>
    public static long BinCount(long firstBin, long lastBin, long stride) =>
        lastBin < firstBin ? 0 : (long)(((ulong)(lastBin - firstBin) / (ulong)stride) + 1);

    /// <summary>
    /// The order the operator sorts its input into and its output keeps: the series keys ascending (nulls last), then
    /// time ascending (nulls first, as IOx).
    /// </summary>
    public IReadOnlyList<SortExpr> Order =>
        [.. Series.Select(s => new SortExpr(ColumnOf(s), false, false)), new SortExpr(ColumnOf(Time), false, true)];

    private Expressions.ColumnExpr ColumnOf(int column) => new(column, Input.Schema[column].Name, Input.Schema[column].Type);

    public override Schema Schema => Input.Schema;

    public override IReadOnlyList<LogicalPlan> Inputs => [Input];

    public override LogicalPlan WithInputs(IReadOnlyList<LogicalPlan> inputs) => new GapFillPlan(inputs[0], Time, Series, Fills, FirstBin, LastBin, Stride);

    public override string Describe() => Describe(Input.Schema, Time, Series, Fills, FirstBin, LastBin, Stride, "GapFill");

    /// <summary>The one-line form EXPLAIN shows, for the logical node and its operator.</summary>
    public static string Describe(Schema schema, int time, IReadOnlyList<int> series, IReadOnlyList<GapFillColumn> fills, long firstBin, long lastBin, long stride, string label)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var names = string.Join(", ", series.Select(s => schema[s].Name));
        var filled = string.Join(", ", fills.Select(f => f.Describe(schema[f.Column].Name)));
        return string.Create(CultureInfo.InvariantCulture,
            $"{label}: time={schema[time].Name}, series=[{names}], fill=[{filled}], bins=[{TimeText.FormatTimestamp(firstBin)}, {TimeText.FormatTimestamp(lastBin)}] every {stride}ns");
    }
}
