namespace Tsdb.Query.InfluxQL;

/// <summary>A statement's rows as they are computed, and how they map onto series.</summary>
public sealed class InfluxQLStream(QueryStream rows, InfluxQLShape shape) : IAsyncDisposable
{
    public QueryStream Rows { get; } = rows;

    public InfluxQLShape Shape { get; } = shape;

    public ValueTask DisposeAsync() => Rows.DisposeAsync();
}
