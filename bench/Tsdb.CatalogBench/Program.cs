using System.Diagnostics;
using System.Globalization;
using Tsdb.Catalog;
using Tsdb.Core.Schema;
using Tsdb.ObjectStore;

// usage: Tsdb.CatalogBench [--files 100000] [--tables 1000] [--ops 200] [--full-ops 20] [--dir DIR] [--layouts a,b,...]
// Builds a catalog of --tables tables (10 databases) and --files Parquet file entries (5 tag ranges each), then on the
// local file object store measures, for the whole-catalog rewrite (the layout before the log) and for the record log:
// persist latency (one file added and the persisted sequence moved), schema-change latency (one column added), and
// load time (a fresh Catalog.CreateAsync from the store). Every update goes through Catalog.UpdateAsync. written/op
// counts every byte put (for the log, background checkpoints included). "log-json" is the log with the JSON checkpoints
// written before the binary format (the "before" of docs/performance.md, "Binary catalog checkpoints").
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (args[i].StartsWith("--", StringComparison.Ordinal))
    {
        options[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
    }
}
int Option(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var fileCount = Option("files", 100_000);
var tableCount = Option("tables", 1_000);
var logOps = Option("ops", 200);
var fullOps = Option("full-ops", 20); // each one rewrites the whole catalog: fewer of them
var root = options.GetValueOrDefault("dir") ?? Path.Combine(Path.GetTempPath(), "tsdb-catalog-bench");
if (Directory.Exists(root))
{
    Directory.Delete(root, recursive: true);
}

var perDatabase = Math.Max(1, tableCount / 10);
var initial = Seed(fileCount, tableCount);
var layouts = (options.GetValueOrDefault("layouts") ?? "full-rewrite,log-json,log,log-in-memory").Split(',');
Console.WriteLine($"catalog: {tableCount} tables, {fileCount} files; {fullOps} (full rewrite) and {logOps} (log) operations of each kind; dir {root}; load average {LoadAverage()}");
CheckpointCodecs(initial);
Console.WriteLine($"{"layout",-14} {"operation",-14} {"p50 ms",9} {"p90 ms",9} {"p99 ms",9} {"max ms",9} {"written/op",11}");

// "log-in-memory" is the log on the in-memory store: the CPU part of an update (diff, record, snapshot), no disk.
foreach (var layout in layouts)
{
    var dir = Path.Combine(root, layout);
    var isLog = layout != "full-rewrite";
    var memory = layout == "log-in-memory" ? new InMemoryObjectStore() : null;
    IObjectStore Open() => memory ?? (IObjectStore)new LocalFileObjectStore(dir);
    var ops = isLog ? logOps : fullOps;
    var store = new CountingObjectStore(Open());
    var logOptions = new CatalogLogOptions { JsonCheckpoints = layout == "log-json" };
    ICatalogStore catalogStore = isLog ? new ObjectStoreCatalogStore(store, logOptions) : new FullRewriteCatalogStore(store);
    if (isLog)
    {
        await ((ObjectStoreCatalogStore)catalogStore).WriteCheckpointAsync(initial);
    }
    else
    {
        await store.PutIfAbsentAsync(ObjectStoreCatalogStore.LegacyKey(initial.Version), CatalogSerializer.Serialize(initial));
    }
    var catalog = await Catalog.CreateAsync(catalogStore, new CatalogLimits { MaxColumnsPerTable = 100_000 });
    var sequence = catalog.Current.PersistedSequence;
    var persist = await Measure(store, ops, i => catalog.UpdateAsync(e =>
    {
        var entry = Entry(e.NextFileId(), "db0", "table0", ++sequence);
        e.AddFile(entry);
        e.SetPersistedSequence(sequence);
        return true;
    }));
    Report(layout, "persist", persist);
    var schema = await Measure(store, ops, i => catalog.UpdateAsync(e => e.EnsureColumn($"db{i % tableCount / perDatabase}", $"table{i % tableCount}", $"added{i}", ColumnKind.Float) is null));
    Report(layout, "schema change", schema);
    if (catalogStore is ObjectStoreCatalogStore log)
    {
        // The worst load: the newest checkpoint and a checkpoint interval's worth of records after it, less one.
        await log.FlushAsync();
        var tail = 99 - (int)((catalog.Current.Version - 1) % 100);
        for (var i = 0; i < tail; i++)
        {
            await catalog.UpdateAsync(e => { e.AddFile(Entry(e.NextFileId(), "db0", "table0", ++sequence)); e.SetPersistedSequence(sequence); return true; });
        }
        await log.FlushAsync();
    }

    // Load: a fresh process reading the catalog back (the log: newest checkpoint and the records after it).
    var loads = new List<double>();
    CatalogSnapshot? loaded = null;
    for (var run = 0; run < 5; run++)
    {
        var fresh = Open();
        var started = Stopwatch.GetTimestamp();
        var reopened = await Catalog.CreateAsync(isLog ? new ObjectStoreCatalogStore(fresh, logOptions) : new FullRewriteCatalogStore(fresh));
        loads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        loaded = reopened.Current;
    }
    if (loaded!.Version != catalog.Current.Version || loaded.Files.Count != catalog.Current.Files.Count)
    {
        throw new InvalidOperationException($"{layout}: loaded version {loaded.Version} with {loaded.Files.Count} files, expected {catalog.Current.Version} with {catalog.Current.Files.Count}");
    }
    long newestCheckpoint = loaded.Version;
    long checkpointBytes = 0;
    await foreach (var meta in Open().ListAsync(ObjectStoreCatalogStore.CheckpointPrefix))
    {
        newestCheckpoint = long.Parse(meta.Key.AsSpan(ObjectStoreCatalogStore.CheckpointPrefix.Length, 20), CultureInfo.InvariantCulture);
        checkpointBytes = meta.Size;
    }
    Report(layout, "load", new Sample([.. loads], 0, 0), (isLog ? $"(checkpoint {newestCheckpoint} of {checkpointBytes} bytes + {loaded.Version - newestCheckpoint} records)" : "(newest whole catalog)") + $"; load average {LoadAverage()}");
}

// Where a load's time goes, without the store: each checkpoint format written and read in memory (3 runs, the
// first one with the JIT), and the size of each.
static void CheckpointCodecs(CatalogSnapshot snapshot)
{
    foreach (var (name, write, read) in new (string, Func<CatalogSnapshot, byte[]>, Func<byte[], CatalogSnapshot>)[]
    {
        ("json", CatalogSerializer.Serialize, b => CatalogSerializer.Deserialize(b, "bench")),
        ("binary", CatalogCheckpoint.Serialize, b => CatalogCheckpoint.Deserialize(b, "bench")),
    })
    {
        var writes = new List<string>();
        var reads = new List<string>();
        var size = 0;
        for (var run = 0; run < 3; run++)
        {
            var started = Stopwatch.GetTimestamp();
            var bytes = write(snapshot);
            writes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture));
            started = Stopwatch.GetTimestamp();
            var back = read(bytes);
            reads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture));
            size = bytes.Length;
            if (back.Files.Count != snapshot.Files.Count)
            {
                throw new InvalidOperationException($"{name}: read {back.Files.Count} files, wrote {snapshot.Files.Count}");
            }
        }
        Console.WriteLine($"checkpoint {name,-7} {size,11} bytes; write ms {string.Join(" / ", writes)}; read ms {string.Join(" / ", reads)}");
    }
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

static async Task<Sample> Measure(CountingObjectStore store, int ops, Func<int, Task<bool>> op)
{
    var before = store.BytesWritten;
    var recordsBefore = store.RecordBytesWritten;
    var times = new double[ops];
    for (var i = 0; i < ops; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await op(i);
        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
    return new Sample(times, (store.BytesWritten - before) / ops, (store.RecordBytesWritten - recordsBefore) / ops);
}

static void Report(string layout, string operation, Sample sample, string note = "")
{
    var sorted = sample.Milliseconds.Order().ToArray();
    double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    var bytes = sample.BytesPerOp != 0 ? sample.BytesPerOp.ToString(CultureInfo.InvariantCulture) : "";
    if (sample.RecordBytesPerOp != 0)
    {
        note = $"(records alone {sample.RecordBytesPerOp} bytes/op; the rest is background checkpoints) {note}";
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{layout,-14} {operation,-14} {At(0.5),9:F2} {At(0.9),9:F2} {At(0.99),9:F2} {sorted[^1],9:F2} {bytes,11} {note}"));
}

static CatalogSnapshot Seed(int files, int tables)
{
    var perDatabase = Math.Max(1, tables / 10);
    var databases = new List<DatabaseDefinition>();
    for (var d = 0; d < 10; d++)
    {
        var defs = new List<TableDefinition>();
        for (var t = d * perDatabase; t < (d + 1) * perDatabase && t < tables; t++)
        {
            var table = TableDefinition.Create($"table{t}");
            for (var c = 0; c < 5; c++)
            {
                table = table.WithColumn(new ColumnDefinition($"tag{c}", ColumnKind.Tag)).WithColumn(new ColumnDefinition($"field{c}", ColumnKind.Float));
            }
            defs.Add(table);
        }
        databases.Add(new DatabaseDefinition($"db{d}", defs));
    }
    var entries = new List<ParquetFileEntry>(files);
    for (var f = 1; f <= files; f++)
    {
        var t = f % tables;
        entries.Add(Entry(f, $"db{t / perDatabase}", $"table{t}", f));
    }
    var tokens = new[] { new TokenDefinition(TokenDefinition.OperatorName, new string('a', 64), true, DateTimeOffset.UnixEpoch) };
    return new CatalogSnapshot(1, databases, tokens, entries, files, files + 1, []);
}

static ParquetFileEntry Entry(long id, string database, string table, long sequence)
{
    var day = 20_000 + (int)(id % 365);
    var ranges = new Dictionary<string, TagRange>(5);
    for (var c = 0; c < 5; c++)
    {
        ranges[$"tag{c}"] = new TagRange($"host-{id % 97:D3}", $"host-{id % 89 + 100:D3}");
    }
    return new ParquetFileEntry(id, database, table, day, $"dbs/{database}/{table}/{day}/{id:D10}.parquet", day * 86_400_000_000_000L, day * 86_400_000_000_000L + 3_600_000_000_000L,
        10_000, 1 << 20, sequence, 0, DateTimeOffset.UnixEpoch.AddSeconds(id)) { TagRanges = ranges };
}

internal sealed record Sample(double[] Milliseconds, long BytesPerOp, long RecordBytesPerOp);
