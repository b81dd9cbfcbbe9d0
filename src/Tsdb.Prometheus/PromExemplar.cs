namespace Tsdb.Prometheus;

/// <summary>
/// One exemplar sent with a series (remote write 1.0 and 2.0, OTLP): its own labels (e.g. <c>trace_id</c>), value and
/// time. <see cref="Error"/> is set when it could not be decoded (a 2.0 symbol reference out of range); it is then
/// refused alone, the series' samples are not.
/// </summary>
public readonly record struct PromExemplar(IReadOnlyList<(string Name, string Value)> Labels, double Value, long TimestampMs)
{
    public string? Error { get; init; }
}
