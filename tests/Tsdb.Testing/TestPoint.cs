namespace Tsdb.Testing;

/// <summary>
/// One stored row of the <see cref="TableSourceConformance"/> data: tags host and region (region may be absent), a
/// float field usage and an integer field n (at least one of the two present), time in ns.
/// </summary>
public sealed record TestPoint(string Table, string Host, string? Region, long Time, double? Usage, long? N)
{
    /// <summary>The point as a line of line protocol.</summary>
    public string ToLineProtocol()
    {
        var tags = Region is null ? $"host={Host}" : $"host={Host},region={Region}";
        var fields = new List<string>();
        if (Usage is { } u)
        {
            fields.Add(FormattableString.Invariant($"usage={u:R}"));
        }
        if (N is { } n)
        {
            fields.Add(FormattableString.Invariant($"n={n}i"));
        }
        return FormattableString.Invariant($"{Table},{tags} {string.Join(',', fields)} {Time}");
    }

    /// <summary>The value of column <paramref name="name"/> as <see cref="TableSourceConformance"/> prints it (null when absent).</summary>
    public string? Value(string name) => name switch
    {
        "time" => Time.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "host" => Host,
        "region" => Region,
        "usage" => Usage?.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        "n" => N?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"no column {name}", nameof(name)),
    };
}
