namespace Tsdb.Query.InfluxQL;

/// <summary>
/// How a statement's rows map onto InfluxDB series: column 0 is <c>iox::measurement</c> (the series name), then
/// <c>time</c> when <see cref="HasTime"/>, then <see cref="TagCount"/> GROUP BY tag columns (the series' tags), then
/// the value columns. Rows arrive sorted by series, so a series is a run of equal name and tags.
/// </summary>
public sealed record InfluxQLShape(bool HasTime, int TagCount, bool HasName = true)
{
    public const string MeasurementColumn = "iox::measurement";

    /// <summary>EXPLAIN's answer: plain columns, no series name.</summary>
    public static InfluxQLShape Table { get; } = new(false, 0, HasName: false);

    public int FirstTag => (HasName ? 1 : 0) + (HasTime ? 1 : 0);

    public int FirstValue => FirstTag + TagCount;

    /// <summary>The zone of <c>tz('…')</c>: 1.x writes RFC 3339 times in it, with its offset.</summary>
    public string? TimeZone { get; init; }
}
