namespace Tsdb.Query.InfluxQL.Ast;

public sealed class SelectStatement : Statement
{
    public required IReadOnlyList<SelectField> Fields { get; init; }

    /// <summary>The <c>INTO</c> target as written (InfluxDB 3 refuses SELECT INTO; kept so the planner can say so).</summary>
    public string? Into { get; init; }

    public required IReadOnlyList<Source> Sources { get; init; }

    public InfluxQLExpr? Condition { get; init; }

    public IReadOnlyList<Dimension> Dimensions { get; init; } = [];

    public FillOption Fill { get; init; } = FillOption.Null;

    /// <summary>The number of <c>fill(&lt;value&gt;)</c> (an integer or number literal), else null.</summary>
    public InfluxQLExpr? FillValue { get; init; }

    /// <summary><c>ORDER BY time DESC</c>.</summary>
    public bool Descending { get; init; }

    public long? Limit { get; init; }

    public long? Offset { get; init; }

    public long? SLimit { get; init; }

    public long? SOffset { get; init; }

    /// <summary>The zone named by <c>tz('…')</c>, as written.</summary>
    public string? TimeZone { get; init; }
}
