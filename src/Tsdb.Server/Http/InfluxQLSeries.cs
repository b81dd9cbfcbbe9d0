using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.InfluxQL;

namespace Tsdb.Server.Http;

/// <summary>
/// A statement's rows as InfluxDB series: each row with the series it belongs to (name and tags), in the order the
/// engine produced them (sorted by series, so a series is a run). Values are boxed per row: InfluxQL answers are
/// read by people and dashboards, and the writers need them one row at a time in any case.
/// </summary>
internal static class InfluxQLSeries
{
    /// <summary>The series a row belongs to: its name (null for SHOW SERIES and friends), tags, and columns.</summary>
    public sealed record Header(string? Name, IReadOnlyList<KeyValuePair<string, string>> Tags, IReadOnlyList<string> Columns, TimeZoneInfo? Zone)
    {
        public bool SameSeries(Header other) =>
            ReferenceEquals(this, other)
            || (Name == other.Name && Tags.Count == other.Tags.Count && Tags.SequenceEqual(other.Tags) && ReferenceEquals(Columns, other.Columns));
    }

    /// <summary>One row: values in column order; a time is a long of nanoseconds (see <see cref="TimeValue"/>).</summary>
    public readonly record struct Row(Header Series, object?[] Values);

    /// <summary>A time column's value, kept apart from integers so writers can format it.</summary>
    public readonly record struct TimeValue(long Nanos);

    public static async IAsyncEnumerable<Row> ReadAsync(InfluxQLStream stream)
    {
        var shape = stream.Shape;
        var schema = stream.Rows.Schema;
        var columns = new List<string>();
        var valueColumns = new List<int>();
        if (shape.HasTime)
        {
            columns.Add("time");
            valueColumns.Add(shape.HasName ? 1 : 0);
        }
        for (var c = shape.FirstValue; c < schema.FieldCount; c++)
        {
            columns.Add(schema[c].Name);
            valueColumns.Add(c);
        }
        var tagNames = Enumerable.Range(shape.FirstTag, shape.TagCount).Select(c => schema[c].Name).ToArray();
        var zone = shape.TimeZone is { } z ? TimeZoneInfo.FindSystemTimeZoneById(z) : null;
        Header? current = null;
        await foreach (var batch in stream.Rows.ReadAllAsync().ConfigureAwait(false))
        {
            var names = shape.HasName ? Strings(batch.Column(0)) : null;
            var tags = Enumerable.Range(shape.FirstTag, shape.TagCount).Select(c => Strings(batch.Column(c))).ToArray();
            for (var row = 0; row < batch.Length; row++)
            {
                var name = names?[row];
                var changed = current is null || current.Name != name;
                for (var t = 0; !changed && t < tags.Length; t++)
                {
                    changed = current!.Tags[t].Value != (tags[t][row] ?? "");
                }
                if (changed)
                {
                    current = new Header(name, [.. tagNames.Select((n, t) => new KeyValuePair<string, string>(n, tags[t][row] ?? ""))], columns, zone);
                }
                var values = new object?[valueColumns.Count];
                for (var v = 0; v < values.Length; v++)
                {
                    values[v] = Value(batch.Column(valueColumns[v]), row);
                }
                yield return new Row(current!, values);
            }
        }
    }

    /// <summary>
    /// A name or tag column's values as strings. Rows come sorted by series, so a value repeats for a whole run: a run
    /// shares one string (made once, not once per row), and the per-row series test above is mostly a reference test.
    /// </summary>
    private static string?[] Strings(ArrowArray array)
    {
        var result = new string?[array.Length];
        switch (array)
        {
            case StringArray strings:
                for (var i = 0; i < result.Length; i++)
                {
                    if (!strings.IsNull(i))
                    {
                        result[i] = i > 0 && result[i - 1] is { } previous && strings.GetBytes(i).SequenceEqual(strings.GetBytes(i - 1)) ? previous : strings.GetString(i);
                    }
                }
                break;
            default:
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = array.IsNull(i) ? null : Convert.ToString(array.GetObject(i), System.Globalization.CultureInfo.InvariantCulture);
                }
                break;
        }
        return result;
    }

    private static object? Value(ArrowArray column, int row)
    {
        if (column.IsNull(row))
        {
            return null;
        }
        return column.Type.Id switch
        {
            ArrowTypeId.Timestamp => new TimeValue(((TimestampArray)column).GetValue(row) * column.Type.Unit switch
            {
                TimeUnit.Second => 1_000_000_000L,
                TimeUnit.Millisecond => 1_000_000L,
                TimeUnit.Microsecond => 1_000L,
                _ => 1L,
            }),
            ArrowTypeId.Boolean => ((BooleanArray)column).GetValue(row),
            _ => column.GetObject(row),
        };
    }
}
