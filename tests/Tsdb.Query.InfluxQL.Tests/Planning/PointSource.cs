using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Types;
using Tsdb.Query.Chunks;

namespace Tsdb.Query.InfluxQL.Tests.Planning;

/// <summary>
/// Measurements held in memory, built from points as line protocol describes them (tags, typed fields, a time), with
/// the storage's column types: tags dictionary-encoded, time a nanosecond timestamp.
/// </summary>
internal sealed class PointSource : ITableSource
{
    private readonly Dictionary<string, (Schema Schema, RecordBatch Batch)> _tables = new(StringComparer.Ordinal);

    public const string Database = "db";

    public void Add(string measurement, params (long Time, string Tags, object?[] Fields)[] points) => Add(measurement, ["v"], points);

    /// <summary>Points with fields named <paramref name="fieldNames"/>; tags as "k=v,k=v".</summary>
    public void Add(string measurement, string[] fieldNames, params (long Time, string Tags, object?[] Fields)[] points)
    {
        var tagNames = points.SelectMany(p => Tags(p.Tags).Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var fields = new List<Field> { new("time", ArrowType.TimestampNanosecond, false) };
        fields.AddRange(tagNames.Select(t => new Field(t, ArrowType.DictionaryUtf8)));
        var types = fieldNames.Select((_, i) => points.Select(p => p.Fields[i]).FirstOrDefault(v => v is not null) switch
        {
            long => ArrowType.Int64,
            string => ArrowType.Utf8,
            bool => ArrowType.Boolean,
            _ => ArrowType.Float64,
        }).ToList();
        fields.AddRange(fieldNames.Select((n, i) => new Field(n, types[i])));
        var schema = new Schema(fields);
        var columns = new List<ArrowArray>
        {
            Columns.FromValues(ArrowType.TimestampNanosecond, points.Select(p => p.Time).ToArray(), null),
        };
        foreach (var t in tagNames)
        {
            using var b = new DictionaryArrayBuilder();
            foreach (var p in points)
            {
                if (Tags(p.Tags).TryGetValue(t, out var v))
                {
                    b.Append(v);
                }
                else
                {
                    b.AppendNull();
                }
            }
            columns.Add(b.Build());
        }
        for (var i = 0; i < fieldNames.Length; i++)
        {
            var values = points.Select(p => p.Fields[i]).ToArray();
            columns.Add(types[i].Id switch
            {
                ArrowTypeId.Int64 => Columns.FromValues(ArrowType.Int64, values.Select(v => v is long l ? l : 0).ToArray(), values.Select(v => v is not null).ToArray()),
                ArrowTypeId.Utf8 => Columns.FromStrings(values.Select(v => v as string).ToArray()),
                ArrowTypeId.Boolean => Columns.FromBools(values.Select(v => v as bool?).ToArray()),
                _ => Columns.FromValues(ArrowType.Float64, values.Select(v => v is null ? 0 : Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), values.Select(v => v is not null).ToArray()),
            });
        }
        _tables[measurement] = (schema, new RecordBatch(schema, columns, points.Length));
    }

    private static Dictionary<string, string> Tags(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);

    public Schema? GetSchema(string database, string table) =>
        database == Database && _tables.TryGetValue(table, out var t) ? t.Schema : null;

    public ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(request.Database == Database && _tables.TryGetValue(request.Table, out var t)
            ? new TableChunks(null, [new StreamChunk(t.Schema, [t.Batch])])
            : TableChunks.None);

    public IReadOnlyList<string> Tables(string database) => database == Database ? [.. _tables.Keys] : [];

    public IReadOnlyList<string> Databases() => [Database];
}
