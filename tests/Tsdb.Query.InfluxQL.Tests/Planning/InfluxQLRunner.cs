using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.InfluxQL.Tests.Planning;

/// <summary>Runs InfluxQL on a <see cref="PointSource"/> at a fixed now(), and shows each answer row as one line of text.</summary>
internal sealed class InfluxQLRunner(PointSource source, long nowNanos = 1_800_000_000_000_000_000)
{
    private sealed class FixedTime(long nanos) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(nanos / 1_000_000);
    }

    public InfluxQLEngine Engine { get; } = new(new QueryExecutor(source, new FixedTime(nowNanos)));

    /// <summary>
    /// The rows of a one-statement query as "name tag=v,… time value value…" (times in ns, nulls as "null", floats
    /// round-tripped), in answer order.
    /// </summary>
    public async Task<List<string>> Rows(string query)
    {
        var statement = Assert.Single(InfluxQLEngine.Parse(query));
        await using var stream = await Engine.ExecuteAsync(PointSource.Database, statement, query, null, null, CancellationToken.None);
        var shape = stream.Shape;
        var lines = new List<string>();
        await foreach (var batch in stream.Rows.ReadAllAsync())
        {
            for (var row = 0; row < batch.Length; row++)
            {
                var parts = new List<string>();
                if (shape.HasName)
                {
                    parts.Add(Text(batch.Column(0), row));
                }
                var tags = Enumerable.Range(shape.FirstTag, shape.TagCount).Select(c => $"{batch.Schema[c].Name}={Text(batch.Column(c), row)}").ToList();
                if (tags.Count > 0)
                {
                    parts.Add(string.Join(",", tags));
                }
                if (shape.HasTime)
                {
                    parts.Add(Text(batch.Column(shape.HasName ? 1 : 0), row));
                }
                for (var c = shape.FirstValue; c < batch.ColumnCount; c++)
                {
                    parts.Add(Text(batch.Column(c), row));
                }
                lines.Add(string.Join(" ", parts));
            }
        }
        return lines;
    }

    /// <summary>The column names after the series columns (what 1.x lists after "time").</summary>
    public async Task<List<string>> ValueColumns(string query)
    {
        var statement = Assert.Single(InfluxQLEngine.Parse(query));
        await using var stream = await Engine.ExecuteAsync(PointSource.Database, statement, query, null, null, CancellationToken.None);
        return [.. stream.Rows.Schema.Fields.Skip(stream.Shape.FirstValue).Select(f => f.Name)];
    }

    public async Task<string> Error(string query)
    {
        var ex = await Assert.ThrowsAsync<QueryException>(() => Rows(query));
        return ex.Detail;
    }

    private static string Text(ArrowArray column, int row)
    {
        if (column.IsNull(row))
        {
            return "null";
        }
        return column.Type.Id switch
        {
            ArrowTypeId.Timestamp => ((TimestampArray)column).GetValue(row).ToString(CultureInfo.InvariantCulture),
            ArrowTypeId.Float64 => ((DoubleArray)column).GetValue(row).ToString("R", CultureInfo.InvariantCulture),
            ArrowTypeId.Boolean => ((BooleanArray)column).GetValue(row) ? "true" : "false",
            _ => Convert.ToString(column.GetObject(row), CultureInfo.InvariantCulture) ?? "",
        };
    }
}
