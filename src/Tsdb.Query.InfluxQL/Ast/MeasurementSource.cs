namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>
/// <c>[db.][rp.]name</c> or <c>[db.][rp.]/regex/</c>: exactly one of <see cref="Name"/> and <see cref="Regex"/> is set.
/// <c>db..name</c> leaves the retention policy empty.
/// </summary>
public sealed class MeasurementSource : Source
{
    public string? Database { get; init; }

    public string? RetentionPolicy { get; init; }

    public string? Name { get; init; }

    public string? Regex { get; init; }
}
