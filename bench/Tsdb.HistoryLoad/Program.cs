using System.Diagnostics;
using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.ObjectStore;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Persistence;

// Bench loader (not a write path): fills a server's data directory with level-0 Parquet files as persists would leave
// them, through the server's own code: ParquetFileWriter (the writer persist and compaction use, same options),
// the local file object store, and Catalog.UpdateAsync on the catalog's record log (table and columns created, each
// file added, the persisted sequence moved), so a server started on the directory afterwards loads them as its own
// level-0 files and compacts them. It exists because the write API cannot load billions of rows in the time a
// benchmark has on this machine; the rows never go through the WAL, the buffer or the write API (say so wherever its
// figures are quoted). The data directory must not be in use by a server while it runs.
//
// usage: Tsdb.HistoryLoad --data-dir DIR [--db bench] [--table m] [--start 2024-01-01] [--days 365] [--series 1000]
//          [--interval-ms 10000] [--fields 1] [--parts 4] [--split series|time] [--values walk|random] [--jobs 1]
//   --parts P       level-0 files per day. --split series: each file holds a share of the series over the whole day
//                   (overlapping in time, as writers that each own some series leave them); --split time: each file
//                   holds every series over a 1/P slice of the day (as a time-ordered stream persisted by buffer size).
//   --fields F      float fields: one named v, or f0..f{F-1}.
//   --values walk   a pseudo-random walk per series (two decimals, compressible like real gauges); random: uniform
//                   random doubles in [100, 200) (about 7 bytes a value on disk: only the exponent repeats), for a
//                   partition of a given size in fewer rows.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"expected --name value pairs, got '{args[i]}'");
        return 2;
    }
    options[args[i][2..]] = args[++i];
}
string Text(string name, string fallback) => options.GetValueOrDefault(name) ?? fallback;
long Number(string name, long fallback) => options.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

var dataDir = options.GetValueOrDefault("data-dir");
if (dataDir is null)
{
    Console.Error.WriteLine("--data-dir is required (the server's --data-dir, not in use by a server)");
    return 2;
}
var database = Text("db", "bench");
var table = Text("table", "m");
var start = DateOnly.ParseExact(Text("start", "2024-01-01"), "yyyy-MM-dd", CultureInfo.InvariantCulture);
var days = (int)Number("days", 365);
var series = (int)Number("series", 1000);
var intervalNs = Number("interval-ms", 10_000) * 1_000_000;
var fieldCount = (int)Number("fields", 1);
var parts = (int)Number("parts", 4);
var splitByTime = Text("split", "series") switch
{
    "series" => false,
    "time" => true,
    var other => throw new ArgumentException($"--split is series or time, not '{other}'"),
};
var random = Text("values", "walk") switch
{
    "walk" => false,
    "random" => true,
    var other => throw new ArgumentException($"--values is walk or random, not '{other}'"),
};
const long NsPerDay = 86_400_000_000_000;
var pointsPerDay = NsPerDay / intervalNs;
if (NsPerDay % intervalNs != 0 || parts < 1 || (splitByTime ? pointsPerDay : series) < parts)
{
    Console.Error.WriteLine("the interval must divide a day, and there must be at least one series (or time slice) per part");
    return 2;
}

var store = new LocalFileObjectStore(dataDir);
var catalogStore = new ObjectStoreCatalogStore(store);
var catalog = await Catalog.CreateAsync(catalogStore);
var fieldNames = fieldCount == 1 ? ["v"] : Enumerable.Range(0, fieldCount).Select(f => $"f{f}").ToArray();
var created = await catalog.UpdateAsync(e =>
{
    var error = e.EnsureDatabase(database, out _) ?? e.EnsureTable(database, table, out _) ?? e.EnsureColumn(database, table, "series", ColumnKind.Tag);
    foreach (var field in fieldNames)
    {
        error ??= e.EnsureColumn(database, table, field, ColumnKind.Float);
    }
    return error;
});
if (created is not null)
{
    Console.Error.WriteLine($"catalog: {created.Message}");
    return 1;
}
var definition = catalog.Current.FindDatabase(database)!.FindTable(table)!;
var columns = StorageTableSource.TableColumnsOf(definition);
var storage = new StorageOptions();
var writer = new ParquetFileWriter(store, storage, TimeProvider.System);
var names = Enumerable.Range(0, series).Select(s => $"s{s:D5}").ToArray();
long rows = 0, bytes = 0;
var clock = Stopwatch.StartNew();

var firstSequence = catalog.Current.PersistedSequence;
var published = 0;
using var catalogGate = new SemaphoreSlim(1, 1);
// Files are independent: --jobs of them are written at once (each one by one sequential writer) and each is published
// in its own catalog record when written, as a persist publishes the files it wrote.
await Parallel.ForEachAsync(Enumerable.Range(0, days * parts), new ParallelOptions { MaxDegreeOfParallelism = (int)Number("jobs", 1) }, async (k, cancellationToken) =>
{
    var (d, p) = Math.DivRem(k, parts);
    var dayStart = (start.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + d) * NsPerDay;
    var day = (int)(dayStart / NsPerDay);
    var (firstSeries, endSeries) = splitByTime ? (0, series) : (series * p / parts, series * (p + 1) / parts);
    var (firstPoint, endPoint) = splitByTime ? (pointsPerDay * p / parts, pointsPerDay * (p + 1) / parts) : (0, pointsPerDay);
    // Sequences in day order, then part order: a persist's file carries the WAL sequence it holds rows through.
    var sequence = firstSequence + k + 1;
    var entry = (await writer.WriteStreamAsync(database, table, day, columns.Schema,
        Batches(columns, fieldNames.Length, names, firstSeries, endSeries, dayStart, firstPoint, endPoint, intervalNs, random),
        sequence, level: 0, cancellationToken))!;
    await catalogGate.WaitAsync(cancellationToken);
    try
    {
        await catalog.UpdateAsync(e =>
        {
            e.AddFile(entry with { Id = e.NextFileId() });
            e.SetPersistedSequence(null, Math.Max(e.PersistedSequence, sequence));
            return true;
        }, cancellationToken);
        rows += entry.RowCount;
        bytes += entry.SizeBytes;
        if (++published % (10 * parts) == 0 || published == days * parts)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{published}/{days * parts} files: {rows:N0} rows, {bytes / 1e6:F1} MB, {clock.Elapsed.TotalSeconds:F0} s ({rows / clock.Elapsed.TotalSeconds:N0} rows/s)"));
        }
    }
    finally
    {
        catalogGate.Release();
    }
});
await catalogStore.FlushAsync();
return 0;

// Rows in the table's sort order (series, then time), 65,536 a batch. Values are a function of (series, time), so a
// rerun writes the same data.
static async IAsyncEnumerable<RecordBatch> Batches(TableColumns columns, int fields, string[] names, int firstSeries, int endSeries, long dayStart, long firstPoint, long endPoint, long intervalNs, bool random)
{
    const int BatchRows = 65_536;
    var schema = columns.Schema;
    var seriesIndex = schema.GetFieldIndex("series");
    var timeIndex = columns.TimeIndex;
    var s = firstSeries;
    var point = firstPoint;
    while (s < endSeries)
    {
        using var tags = new DictionaryArrayBuilder();
        using var times = new PrimitiveArrayBuilder<long>(schema[timeIndex].Type);
        var values = new PrimitiveArrayBuilder<double>[fields];
        for (var f = 0; f < fields; f++)
        {
            values[f] = new PrimitiveArrayBuilder<double>(schema[FieldIndex(columns, f)].Type);
        }
        var length = 0;
        while (length < BatchRows && s < endSeries)
        {
            var run = (int)Math.Min(BatchRows - length, endPoint - point);
            tags.AppendRepeated(names[s], run);
            var timeSpan = times.AppendUninitialized(run);
            for (var i = 0; i < run; i++)
            {
                timeSpan[i] = dayStart + ((point + i) * intervalNs);
            }
            for (var f = 0; f < fields; f++)
            {
                var span = values[f].AppendUninitialized(run);
                for (var i = 0; i < run; i++)
                {
                    span[i] = Value(s, f, dayStart / intervalNs + point + i, random);
                }
            }
            length += run;
            point += run;
            if (point == endPoint)
            {
                s++;
                point = firstPoint;
            }
        }
        var arrays = new ArrowArray[schema.FieldCount];
        arrays[seriesIndex] = tags.Build();
        arrays[timeIndex] = times.Build();
        for (var f = 0; f < fields; f++)
        {
            arrays[FieldIndex(columns, f)] = values[f].Build();
            values[f].Dispose();
        }
        yield return new RecordBatch(schema, arrays, length);
        await Task.Yield();
    }
}

static int FieldIndex(TableColumns columns, int field)
{
    var seen = -1;
    for (var c = 0; c < columns.Columns.Count; c++)
    {
        if (columns.Columns[c].Kind == ColumnKind.Float && ++seen == field)
        {
            return c;
        }
    }
    throw new InvalidOperationException($"no float field {field}");
}

// walk: a bounded pseudo-random walk around 50 with two decimals, from a hash of (series, field, step) and the step's
// neighbourhood so consecutive values are close; random: a uniformly random double from the same hash.
static double Value(int series, int field, long step, bool random)
{
    var h = Mix(((ulong)series << 40) ^ ((ulong)field << 32) ^ (ulong)step);
    if (random)
    {
        return BitConverter.UInt64BitsToDouble((h & 0x000F_FFFF_FFFF_FFFFUL) | 0x3FF0_0000_0000_0000UL) * 100.0;
    }
    var slow = Math.Sin((step / 360.0) + series + field) * 40.0;
    return Math.Round(50.0 + slow + ((double)(h % 1000) / 100.0), 2);
}

static ulong Mix(ulong x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9UL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBUL;
    return x ^ (x >> 31);
}
