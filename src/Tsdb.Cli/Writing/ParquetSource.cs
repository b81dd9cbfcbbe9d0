using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Tsdb.Parquet;
using Tsdb.Parquet.Reading;

namespace Tsdb.Cli.Writing;

/// <summary>
/// A Parquet file read with the project's own reader, row by row into line protocol. Tags are <c>--tags</c> when
/// given, else, in a file this server persisted, the tag columns of its <c>tsdb:sort_key</c> (tags, then time), else
/// columns typed as tags in Arrow (<c>iox::column::type</c> metadata or dictionary strings, as Flight ingest takes
/// them); every other column is a field. The time column is the one named <c>time</c>, else the only timestamp column;
/// the table is a <c>measurement</c>/<c>iox::measurement</c> column where one is set, else <c>--measurement</c>, else
/// the file name (as for CSV).
/// </summary>
internal sealed class ParquetSource(string path, WriteSourceOptions options) : WriteSource(path, RowCount(path))
{
    private long _done;

    public override long Done => Interlocked.Read(ref _done);

    private static long RowCount(string path)
    {
        if (!File.Exists(path))
        {
            throw new Client.CliException($"no such file: {path}", 2);
        }
        using var source = new FileRandomAccessSource(path);
        try
        {
            return Open(source, path).GetAwaiter().GetResult().RowCount;
        }
        catch (ParquetFormatException e)
        {
            throw new Client.CliException($"{path}: {e.Message}", 2);
        }
    }

    private static Task<ParquetReader> Open(FileRandomAccessSource source, string path) =>
        ParquetReader.OpenAsync(source, new ParquetReadOptions { VerifyPageChecksums = true });

    private enum Role
    {
        Measurement,
        Tag,
        Field,
        Time,
        Skip,
    }

    public override async IAsyncEnumerable<SourceRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var source = new FileRandomAccessSource(Name);
        ParquetReader reader;
        try
        {
            reader = await Open(source, Name).ConfigureAwait(false);
        }
        catch (ParquetFormatException e)
        {
            throw new Client.CliException($"{Name}: {e.Message}", 2);
        }
        var schema = reader.Schema;
        var sortKey = reader.Metadata.KeyValueMetadata?.FirstOrDefault(kv => kv.Key == "tsdb:sort_key")?.Value;
        var roles = Roles(schema, sortKey?.Split(',').Where(c => c != "time").ToHashSet(StringComparer.Ordinal));
        var measurement = options.Measurement ?? Path.GetFileNameWithoutExtension(Name);
        long row = 0;
        await foreach (var batch in reader.ReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            using (batch)
            {
                for (var r = 0; r < batch.Length; r++)
                {
                    row++;
                    string? line = null, error = null;
                    try
                    {
                        line = Line(batch, r, roles, measurement);
                    }
                    catch (FormatException e)
                    {
                        error = e.Message;
                    }
                    yield return new SourceRecord(row, line, error, line ?? $"row {row}");
                    Interlocked.Exchange(ref _done, row);
                }
            }
        }
    }

    private Role[] Roles(Schema schema, IReadOnlySet<string>? sortKeyTags)
    {
        var tags = options.Tags ?? sortKeyTags;
        var roles = new Role[schema.FieldCount];
        var timeIndex = -1;
        for (var i = 0; i < schema.FieldCount; i++)
        {
            if (schema[i].Name == "time")
            {
                timeIndex = i;
            }
        }
        if (timeIndex < 0)
        {
            var timestamps = Enumerable.Range(0, schema.FieldCount).Where(i => schema[i].Type.Id == ArrowTypeId.Timestamp).ToList();
            timeIndex = timestamps.Count == 1 ? timestamps[0] : -1;
        }
        for (var i = 0; i < schema.FieldCount; i++)
        {
            var field = schema[i];
            var type = field.Type.Id == ArrowTypeId.Dictionary ? field.Type.ValueType! : field.Type;
            var kind = ColumnKindNames.FromIoxType(field.GetMetadata(ColumnKindNames.IoxMetadataKey));
            roles[i] = i == timeIndex ? Role.Time
                : field.Name is "measurement" or "iox::measurement" ? Role.Measurement
                : tags is not null ? (tags.Contains(field.Name) ? Role.Tag : Role.Field)
                : kind == ColumnKind.Tag || (kind is null && field.Type.Id == ArrowTypeId.Dictionary) ? Role.Tag
                : Role.Field;
            if (roles[i] == Role.Field && type.Id is ArrowTypeId.Binary or ArrowTypeId.LargeBinary or ArrowTypeId.Null or ArrowTypeId.Timestamp)
            {
                // Line protocol has no binary or second timestamp field: skipped rather than guessed at.
                roles[i] = Role.Skip;
            }
        }
        if (timeIndex >= 0 && schema[timeIndex].Type.Id is not (ArrowTypeId.Timestamp or ArrowTypeId.Int64))
        {
            throw new Client.CliException($"{Name}: the time column '{schema[timeIndex].Name}' is {schema[timeIndex].Type}, not a timestamp or int64 (nanoseconds)", 2);
        }
        if (options.Tags is not null && options.Tags.FirstOrDefault(t => !Enumerable.Range(0, schema.FieldCount).Any(i => schema[i].Name == t)) is { } missing)
        {
            throw new Client.CliException($"{Name}: --tags names '{missing}', which is not a column of the file", 2);
        }
        return roles;
    }

    private string Line(RecordBatch batch, int row, Role[] roles, string measurement)
    {
        var line = new StringBuilder(128);
        for (var c = 0; c < roles.Length; c++)
        {
            if (roles[c] == Role.Measurement && batch.Column(c).GetObject(row) is { } m)
            {
                measurement = Convert.ToString(m, CultureInfo.InvariantCulture)!;
            }
        }
        LineProtocolText.AppendMeasurement(line, measurement);
        for (var c = 0; c < roles.Length; c++)
        {
            if (roles[c] == Role.Tag && batch.Column(c).GetObject(row) is { } tag && Convert.ToString(tag, CultureInfo.InvariantCulture) is { Length: > 0 } text)
            {
                line.Append(',');
                LineProtocolText.AppendKey(line, batch.Schema[c].Name);
                line.Append('=');
                LineProtocolText.AppendKey(line, text);
            }
        }
        var fields = 0;
        for (var c = 0; c < roles.Length; c++)
        {
            if (roles[c] != Role.Field || batch.Column(c).GetObject(row) is not { } value)
            {
                continue;
            }
            line.Append(fields++ == 0 ? ' ' : ',');
            LineProtocolText.AppendKey(line, batch.Schema[c].Name);
            line.Append('=');
            switch (value)
            {
                case double d:
                    line.Append(LineProtocolText.Float(d));
                    break;
                case float f:
                    // Through its own shortest text, so 0.1f is written as 0.1 and not 0.10000000149011612.
                    line.Append(LineProtocolText.Float(double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)));
                    break;
                case bool b:
                    line.Append(b ? "true" : "false");
                    break;
                case string s:
                    LineProtocolText.AppendString(line, s);
                    break;
                case sbyte or short or int or long:
                    line.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)).Append('i');
                    break;
                case byte or ushort or uint or ulong:
                    line.Append(Convert.ToUInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)).Append('u');
                    break;
                default:
                    throw new FormatException($"column '{batch.Schema[c].Name}': {value.GetType().Name} values cannot be written as line protocol");
            }
        }
        if (fields == 0)
        {
            throw new FormatException("no field values");
        }
        var time = Array.IndexOf(roles, Role.Time);
        if (time >= 0 && batch.Column(time) is PrimitiveArray<long> times && times.IsValid(row))
        {
            var nanos = times is TimestampArray t ? ToNanoseconds(times.GetValue(row), t.Unit) : times.GetValue(row);
            line.Append(' ').Append(TimeText.FromNanoseconds(nanos, options.NanosecondsPerUnit, nanos.ToString(CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture));
        }
        return line.ToString();
    }

    private static long ToNanoseconds(long value, TimeUnit unit) => unit switch
    {
        TimeUnit.Second => checked(value * 1_000_000_000),
        TimeUnit.Millisecond => checked(value * 1_000_000),
        TimeUnit.Microsecond => checked(value * 1_000),
        _ => value,
    };
}
